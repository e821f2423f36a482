/**
 * Starting a request's session: its cookie opened into a session for this
 * engine's audience (a remember cookie reopening it when the session cookie
 * failed), or a new one in place of cookies that are rejected, each cleared
 * only when it is known dead.
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { isKnownDead, isRejection, missingAudience, missingCookie, type SessionError } from '../errors.js'
import type { Binding } from '../wire/codec.js'
import { parseCookieHeader, type RequestCookies } from '../wire/cookies.js'
import type { Entry, SessionData } from '../wire/entries.js'
import { FLAG_BIND_IP, FLAG_BIND_SCHEME, FLAG_BIND_USER_AGENT } from '../wire/header.js'
import { type EngineContext, nowSeconds } from './context.js'
import type { sessionWrites } from './lifecycle.js'
import { openCookie, openLocal } from './open.js'
import type { Opened } from './open-payload.js'
import { clearCookies } from './responses.js'
import { type Session, SessionImpl } from './session.js'
import type { SessionRequest } from './types.js'

/** Why each cookie of a request failed to open, so that each is cleared only when known dead. */
interface Failures {
  session?: SessionError
  remember?: SessionError
}

const isBusy = (e: SessionError): boolean => e._tag === 'InvalidCookie' && e.reason === 'busy'

/** The request values a session may be bound to; only those the `bind` option names are read. */
export const bindingOf = (req: SessionRequest, flags: number): Binding => {
  if (flags === 0) return NO_BINDING
  const ua = req.headers['user-agent']
  return {
    ip: flags & FLAG_BIND_IP ? req.remoteAddress : undefined,
    scheme: flags & FLAG_BIND_SCHEME ? req.scheme : undefined,
    userAgent: flags & FLAG_BIND_USER_AGENT ? (typeof ua === 'string' ? ua : ua?.[0]) : undefined,
  }
}
const NO_BINDING: Binding = {}

type Result<A> = Promise<E.Either<SessionError, A>>

type Writes<D extends SessionData> = ReturnType<typeof sessionWrites<D>>

export interface Starts<D extends SessionData> {
  readonly newSession: (req: SessionRequest, cookies: RequestCookies) => SessionImpl<D>
  readonly report: (e: SessionError) => void
  readonly open: (req: SessionRequest) => TE.TaskEither<SessionError, Session<D>>
  readonly start: (req: SessionRequest) => TE.TaskEither<SessionError, SessionImpl<D>>
  /**
   * `start` when it needs no I/O: no cookie at all, or cookie storage without
   * a store. Undefined when the async `start` must run (a store to read, a
   * remember cookie to reopen from).
   */
  readonly startNow: (
    req: SessionRequest,
    cookies: RequestCookies,
  ) => E.Either<SessionError, SessionImpl<D>> | undefined
}

export const sessionStarts = <D extends SessionData>(ctx: EngineContext, writes: Writes<D>): Starts<D> => {
  const o = ctx.o
  const { saveBoth, refreshOnOpen, refreshSync } = writes

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
    if (failed.session !== undefined && isKnownDead(failed.session)) clearCookies(ctx, s, 'session')
    if (failed.remember !== undefined && isKnownDead(failed.remember)) clearCookies(ctx, s, 'remember')
    return s
  }

  const start =
    (req: SessionRequest): TE.TaskEither<SessionError, SessionImpl<D>> =>
    async () => {
      const cookies = parseCookieHeader(req.headers.cookie)
      const atOnce = startNow(req, cookies)
      if (atOnce !== undefined) return atOnce
      const failed: Failures = {}
      const opened = await openWith(req, cookies, true, failed)
      if (E.isRight(opened)) {
        const refreshing = refreshOnOpen(opened.right)
        const refreshed = refreshing === 'kept' ? undefined : await refreshing
        return refreshed !== undefined && E.isLeft(refreshed) ? refreshed : opened
      }
      return isRejection(opened.left) ? E.right(freshAfter(req, cookies, failed)) : opened
    }

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
    // A refresh that needs I/O (a remember cookie's key to derive): the asynchronous start runs instead.
    if (refreshed === undefined) return undefined
    return E.isRight(refreshed) ? result : refreshed
  }
  return { newSession, report, open, start, startNow }
}
