/**
 * The session engine: composes options, codec, policy and ports into the
 * operations a request needs. Stateless between requests; every operation
 * returns a TaskEither, and the Set-Cookie lines accumulate on the session.
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import {
  invalidCookie,
  isKnownDead,
  isRejection,
  missingAudience,
  missingCookie,
  type SessionError,
} from '../errors.js'
import { resolveOptions, type SessionOptions, withoutSecrets } from '../options/options.js'
import { KEEP } from '../policy/timeouts.js'
import { systemClock, systemRandom } from '../ports/system.js'
import { type Binding, touchHeader } from '../wire/codec.js'
import { cookieValueOf, fitsCookieLine, parseCookieHeader, type RequestCookies } from '../wire/cookies.js'
import type { Entry, SessionData } from '../wire/entries.js'
import {
  FLAG_BIND_IP,
  FLAG_BIND_SCHEME,
  FLAG_BIND_USER_AGENT,
  HEADER_ENCODED_SIZE,
  peekHeader,
} from '../wire/header.js'
import { buildKeyring, type EngineContext, nowSeconds, safeEmit, storageKey, storePorts } from './context.js'
import { sessionEnds, sessionWrites } from './lifecycle.js'
import {
  type CookieKind,
  headerFault,
  kindFault,
  type Opened,
  openCookie,
  openLocal,
  parseHeader,
  timesDecision,
  verify,
} from './open.js'
import { createRecentCookies } from './recent.js'
import { clearCookies, outcomeOf } from './responses.js'
import { attachSyncSeam } from './seam.js'
import { type Session, SessionImpl } from './session.js'
import { processSlowKeys } from './slow-keys.js'
import { subjectOps } from './subjects.js'
import { type EngineDeps, NOTHING, type Outcome, type SessionEngine, type SessionRequest } from './types.js'

type Result<A> = Promise<E.Either<SessionError, A>>

/** Why each cookie of a request failed to open, so that each is cleared only when known dead. */
interface Failures {
  session?: SessionError
  remember?: SessionError
}

const QUIET: E.Either<SessionError, Outcome> = E.right(NOTHING)

const isBusy = (e: SessionError): boolean => e._tag === 'InvalidCookie' && e.reason === 'busy'

const asImpl = <D extends SessionData>(s: Session<D>): SessionImpl<D> => {
  if (!(s instanceof SessionImpl)) throw new TypeError('not a session of this engine')
  return s
}

/** The request values a session may be bound to; only those the `bind` option names are read. */
const bindingOf = (req: SessionRequest, flags: number): Binding => {
  if (flags === 0) return NO_BINDING
  const ua = req.headers['user-agent']
  return {
    ip: flags & FLAG_BIND_IP ? req.remoteAddress : undefined,
    scheme: flags & FLAG_BIND_SCHEME ? req.scheme : undefined,
    userAgent: flags & FLAG_BIND_USER_AGENT ? (typeof ua === 'string' ? ua : ua?.[0]) : undefined,
  }
}
const NO_BINDING: Binding = {}

const engines = new WeakSet<object>()

/** True for an engine made by `createSessionEngine` (as opposed to options). */
export const isSessionEngine = <D extends SessionData = SessionData>(x: unknown): x is SessionEngine<D> =>
  typeof x === 'object' && x !== null && engines.has(x)

/** A touch `keepAlive` found due in server storage: the store records it before the cookie goes out. */
interface PendingTouch {
  readonly key: string
  readonly id: string
  readonly outcome: Outcome
}

const isPending = (step: E.Either<SessionError, Outcome> | PendingTouch | undefined): step is PendingTouch =>
  step !== undefined && !('_tag' in step)

/**
 * Creates a session engine. Throws ConfigError (listing every problem) on invalid options.
 * @example
 * const engine = createSessionEngine({ secret: process.env.SESSION_SECRET })
 * const session = await engine.start(req)()
 */
export const createSessionEngine = <D extends SessionData = SessionData>(
  options: SessionOptions,
  deps: EngineDeps = {},
): SessionEngine<D> => {
  const o = resolveOptions(options)
  const ctx: EngineContext = {
    o,
    keyring: buildKeyring(o),
    clock: deps.clock ?? systemClock,
    random: deps.random ?? systemRandom(),
    ...storePorts(o.storage, deps.store),
    emit: safeEmit(deps.onEvent),
    listening: deps.onEvent !== undefined,
    recent: createRecentCookies(o.recentCookies),
    spared: new Map(),
    slowKeys: processSlowKeys,
  }

  const outcome = (session: Session<D>): Outcome => outcomeOf(ctx, asImpl(session))

  const newSession = (req: SessionRequest, cookies: RequestCookies, entries: Entry[] = []) => {
    const all = [...entries, { data: {}, audience: o.audience, subject: undefined }]
    return new SessionImpl<D>(all, all.length - 1, bindingOf(req, o.bindFlags), cookies, o.remember)
  }

  const report = (e: SessionError) => {
    if (e._tag === 'MissingCookie') return
    ctx.emit(
      e._tag === 'Expired'
        ? { type: 'expired', timeout: e.timeout, remember: e.remember }
        : isRejection(e) && !isKnownDead(e)
          ? { type: 'ignored', reason: e }
          : { type: 'rejected', reason: e },
    )
  }

  const clearRequestCookies = (s: SessionImpl<D>, kind: CookieKind) => clearCookies(ctx, s, kind)

  /**
   * A session from an opened cookie. When the cookie has no entry for our
   * audience, `join` makes a new entry beside the others (several audiences
   * share one cookie); otherwise that is a MissingAudience rejection.
   */
  const fromOpened = (
    req: SessionRequest,
    cookies: RequestCookies,
    opened: Opened,
    join = false,
  ): E.Either<SessionError, SessionImpl<D>> => {
    const index = opened.entries.findIndex((e) => e.audience === o.audience)
    if (index === -1 && !join) return E.left(missingAudience(o.audience))
    // Joining: the cookie's other audiences are kept as they are, and this request starts anonymous.
    if (index === -1 && ctx.listening) ctx.emit({ type: 'ignored', reason: missingAudience(o.audience) })
    const s =
      index === -1
        ? newSession(req, cookies, opened.entries)
        : new SessionImpl<D>(opened.entries, index, bindingOf(req, o.bindFlags), cookies, o.remember)
    s.meta = opened.meta
    s.info = opened.info
    s.state = index === -1 ? 'new' : 'open'
    // Upstream mode: the gateway re-issues its own cookie after its rotation.
    if (opened.followed && !o.upstream)
      s.cookies.set(o.cookie.name, `${o.cookie.name}=${opened.meta.headerText}${o.cookie.attributes}`)
    return E.right(s)
  }

  /** The session cookie failed: a remember cookie reopens the session under a new session cookie. */
  const reopenFromRemember = async (
    req: SessionRequest,
    cookies: RequestCookies,
    failed: Failures,
  ): Result<SessionImpl<D>> => {
    const cause = failed.session ?? missingCookie
    const binding = bindingOf(req, o.bindFlags)
    const opened = await openCookie(ctx, 'remember', cookies, binding, o.audience, req.remoteAddress)
    const session = E.isLeft(opened) ? opened : fromOpened(req, cookies, opened.right)
    if (E.isLeft(session)) {
      failed.remember = session.left
      // A remember cookie that is unusable leaves the session's own reason; a store failure stays one.
      // With no session cookie at all, the remember cookie's reason is the one worth reporting.
      if (isRejection(session.left) && cause._tag !== 'MissingCookie') {
        // Not tried for lack of room to derive its key: said here, since only the session's reason is reported.
        if (isBusy(session.left)) ctx.emit({ type: 'ignored', reason: session.left })
        return E.left(cause)
      }
      return session
    }
    const s = session.right
    s.rememberMeta = s.meta
    s.meta = undefined
    // The remember cookie exists because this user chose it (setRemember or the option): keep it.
    s.rememberChoice = true
    const saved = await saveBoth(s, nowSeconds(ctx), true)
    if (E.isLeft(saved)) return saved
    ctx.emit({ type: 'created', id: s.id ?? '', audience: s.audience, subject: s.subject })
    return E.right(s)
  }

  const openWith = async (
    req: SessionRequest,
    cookies: RequestCookies,
    join = false,
    failed: Failures = {},
  ): Result<SessionImpl<D>> => {
    const opened = await openCookie(ctx, 'session', cookies, bindingOf(req, o.bindFlags), o.audience)
    let result = E.isLeft(opened) ? opened : fromOpened(req, cookies, opened.right, join)
    if (E.isLeft(result)) failed.session = result.left
    // A remember cookie is read only when remember is on, as the reference reads it: with it off, a
    // remember cookie (or anything sent under its name) costs nothing and is left as it is.
    if (E.isLeft(result) && isRejection(result.left) && result.left._tag !== 'MissingAudience') {
      // Upstream mode: reopening issues a new session cookie, which is the gateway's to do.
      if (!o.upstream && o.remember && cookies.has(o.cookie.rememberName))
        result = await reopenFromRemember(req, cookies, failed)
    }
    if (E.isLeft(result)) report(result.left)
    return result
  }

  const open =
    (req: SessionRequest): TE.TaskEither<SessionError, Session<D>> =>
    () =>
      openWith(req, parseCookieHeader(req.headers.cookie))

  /**
   * A new session in place of rejected cookies. Each cookie that failed is
   * cleared only when it is known dead; one this app cannot judge (data its
   * schema refuses, no entry for this audience) is left as it is.
   */
  const freshAfter = (req: SessionRequest, cookies: RequestCookies, failed: Failures): SessionImpl<D> => {
    const s = newSession(req, cookies)
    // Upstream mode: even a dead cookie is the gateway's to clear.
    if (o.upstream) return s
    if (failed.session !== undefined && isKnownDead(failed.session)) clearRequestCookies(s, 'session')
    if (failed.remember !== undefined && isKnownDead(failed.remember)) clearRequestCookies(s, 'remember')
    return s
  }

  const start =
    (req: SessionRequest): TE.TaskEither<SessionError, Session<D>> =>
    async () => {
      const cookies = parseCookieHeader(req.headers.cookie)
      const atOnce = startNow(req, cookies)
      if (atOnce !== undefined) return atOnce
      const failed: Failures = {}
      const opened = await openWith(req, cookies, true, failed)
      if (E.isRight(opened)) {
        const refreshed = await refreshImpl(opened.right)
        return E.isLeft(refreshed) ? refreshed : opened
      }
      return isRejection(opened.left) ? E.right(freshAfter(req, cookies, failed)) : opened
    }

  const { touchImpl, saveBoth, saveImpl, saveSync, regenerateImpl, refreshImpl, refreshSync } = sessionWrites<D>(ctx)

  /**
   * `start` when it needs no I/O: no cookie at all, or cookie storage without
   * a store. Undefined when the async `start` must run (a store to read, a
   * remember cookie to reopen from).
   */
  const startNow = (
    req: SessionRequest,
    cookies: RequestCookies,
  ): E.Either<SessionError, SessionImpl<D>> | undefined => {
    const remembered = o.remember && cookies.has(o.cookie.rememberName)
    // No cookie at all is the common anonymous case: a new session, nothing to open.
    if (!remembered && !cookies.has(o.cookie.name)) return E.right(newSession(req, cookies))
    if (ctx.server || ctx.marks !== undefined) return undefined
    const opened = openLocal(ctx, cookies, bindingOf(req, o.bindFlags), nowSeconds(ctx))
    const result = E.isLeft(opened) ? opened : fromOpened(req, cookies, opened.right, true)
    if (E.isLeft(result)) {
      if (remembered && result.left._tag !== 'MissingAudience') return undefined
      report(result.left)
      return isRejection(result.left) ? E.right(freshAfter(req, cookies, { session: result.left })) : result
    }
    const refreshed = refreshSync(result.right)
    return refreshed === undefined || E.isRight(refreshed) ? result : refreshed
  }
  const startSync = (req: SessionRequest) => startNow(req, parseCookieHeader(req.headers.cookie))

  /**
   * What `keepAlive` does: the outcome, a touch the store must record first
   * (server storage; by the record's key, nothing is read), or undefined when
   * a rotation must open and save through a store.
   */
  const keepAliveStep = (req: SessionRequest): E.Either<SessionError, Outcome> | PendingTouch | undefined => {
    // Upstream mode: keeping the cookie alive (or clearing it) is the gateway's.
    if (o.upstream) return QUIET
    const name = o.cookie.name
    const value = cookieValueOf(req.headers.cookie, name)
    if (value === undefined || value === '') return QUIET
    const now = nowSeconds(ctx)
    // With fallback secrets every MAC is checked: a cookie under a fallback is re-issued under the primary.
    const rekeying = ctx.keyring.fallbacks.length > 0
    const fits = fitsCookieLine(name, value)
    // The common case, with no allocation: a well-formed header whose times need nothing done.
    const peeked = rekeying || !fits ? undefined : peekHeader(value)
    if (peeked !== undefined && headerFault(ctx, peeked.type, peeked.flags) === undefined) {
      const decided = timesDecision(ctx, peeked, 'session', now)
      if (E.isRight(decided) && decided.right === KEEP) return QUIET
    }
    const cookies = parseCookieHeader(req.headers.cookie)
    // Opening and saving: at once in cookie storage, else (undefined) through keepAlive.
    const reopen = () => {
      const started = startNow(req, cookies)
      if (started === undefined) return undefined
      return E.isLeft(started) ? started : E.right(outcome(started.right))
    }
    // Sent more than once: opening tries each value, and one that fails never clears one that opens.
    if (cookies.repeated.has(name)) return reopen()
    const clear = (e: SessionError) => {
      report(e)
      const s = newSession(req, cookies)
      clearRequestCookies(s, 'session')
      return E.right(outcome(s))
    }
    if (!fits) return clear(invalidCookie('size', 'larger than a browser sends'))
    // The policy runs on the header's times first: when nothing is due, the MAC need not be
    // checked (nothing of the cookie is used). A touch or a rotation verifies it before acting.
    const parsed = parseHeader(ctx, value.slice(0, HEADER_ENCODED_SIZE))
    if (E.isLeft(parsed)) return clear(parsed.left)
    const decided = timesDecision(ctx, parsed.right, 'session', now)
    if (E.isLeft(decided)) return clear(decided.left)
    const decision = decided.right
    if (decision._tag === 'Keep' && !rekeying) return QUIET
    const binding = bindingOf(req, o.bindFlags)
    const verified = verify(ctx, parsed.right, binding)
    if (E.isLeft(verified)) return clear(verified.left)
    const wrongKind = kindFault(verified.right.header, 'session')
    if (wrongKind !== undefined) return clear(wrongKind)
    if (decision._tag === 'Rotate' || verified.right.km !== ctx.keyring.primary) return reopen()
    if (decision._tag !== 'Touch') return QUIET
    const { header, km } = verified.right
    const headerText = touchHeader(header, decision.idling, km, binding).toString('base64url')
    const rest = ctx.server ? '' : value.slice(HEADER_ENCODED_SIZE)
    const touched = { setCookie: [`${name}=${headerText}${rest}${o.cookie.attributes}`], headers: {} }
    const id = header.sid.toString('base64url')
    if (ctx.server) return { key: storageKey(ctx, header.sid), id, outcome: touched }
    emitTouched(id)
    return E.right(touched)
  }

  const emitTouched = (id: string) => {
    if (ctx.listening) ctx.emit({ type: 'touched', id, audience: o.audience })
  }

  /** `keepAlive` when it needs no I/O, else undefined. */
  const keepAliveSync = (req: SessionRequest): E.Either<SessionError, Outcome> | undefined => {
    const step = keepAliveStep(req)
    return isPending(step) ? undefined : step
  }

  /**
   * For a request that never used its session: verify the header's MAC and
   * apply the policy without decrypting. A touch re-MACs the header; only a
   * rotation opens and saves. A rejected cookie is cleared.
   */
  const keepAlive =
    (req: SessionRequest): TE.TaskEither<SessionError, Outcome> =>
    async () => {
      const step = keepAliveStep(req)
      if (isPending(step)) {
        const recorded = await recordTouch(step)
        if (E.isLeft(recorded)) return recorded
        emitTouched(step.id)
        return E.right(step.outcome)
      }
      if (step !== undefined) return step
      const started = await start(req)()
      return E.isLeft(started) ? started : E.right(outcome(started.right))
    }

  const recordTouch = (t: PendingTouch) =>
    ctx.records === undefined
      ? Promise.resolve(E.right(undefined))
      : ctx.records.touch(o.cookie.name, t.key, nowSeconds(ctx))()

  const { destroyImpl, logoutImpl } = sessionEnds<D>(ctx, saveImpl)

  const { endSession, invalidateSubject, listSessions } = subjectOps(ctx)

  const lift =
    (impl: (s: SessionImpl<D>) => Result<Outcome> | E.Either<SessionError, Outcome>) =>
    (session: Session<D>): TE.TaskEither<SessionError, Outcome> =>
    async () =>
      impl(asImpl(session))

  const engine: SessionEngine<D> = {
    options: withoutSecrets(o),
    open,
    start,
    keepAlive,
    save: lift(saveImpl),
    regenerate: lift(regenerateImpl),
    touch: lift(touchImpl),
    refresh: lift(refreshImpl),
    logout: lift(logoutImpl),
    destroy: lift(destroyImpl),
    endSession,
    invalidateSubject,
    listSessions,
    outcome,
  }
  engines.add(engine)
  attachSyncSeam(engine, {
    nowSeconds: () => nowSeconds(ctx),
    start: startSync,
    save: (session) => saveSync(asImpl(session)),
    keepAlive: keepAliveSync,
  })
  return engine
}
