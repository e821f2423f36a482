/**
 * `keepAlive`, for a request that never used its session: the header's times
 * first, its MAC only when something is due, no decryption. A touch re-MACs
 * the header (server storage records it in the store first); only a rotation
 * opens and saves. A rejected cookie is cleared.
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { invalidCookie, type SessionError } from '../errors.js'
import { KEEP } from '../policy/timeouts.js'
import { touchHeader } from '../wire/codec.js'
import { cookieValueOf, fitsCookieLine, parseCookieHeader } from '../wire/cookies.js'
import type { SessionData } from '../wire/entries.js'
import { HEADER_ENCODED_SIZE, peekHeader } from '../wire/header.js'
import { type EngineContext, nowSeconds, storageKey } from './context.js'
import { headerFault, kindFault, parseHeader, timesDecision, verify } from './open-header.js'
import { clearCookies, outcomeOf } from './responses.js'
import type { SessionImpl } from './session.js'
import { bindingOf, type Starts } from './start.js'
import { NOTHING, type Outcome, type SessionRequest } from './types.js'

const QUIET: E.Either<SessionError, Outcome> = E.right(NOTHING)

/** A touch `keepAlive` found due in server storage: the store records it before the cookie goes out. */
interface PendingTouch {
  readonly key: string
  readonly id: string
  readonly outcome: Outcome
}

const isPending = (step: E.Either<SessionError, Outcome> | PendingTouch | undefined): step is PendingTouch =>
  step !== undefined && !('_tag' in step)

export const keepAlives = <D extends SessionData>(ctx: EngineContext, starts: Starts<D>) => {
  const o = ctx.o
  const { newSession, report, start, startNow } = starts
  const outcome = (s: SessionImpl<D>): Outcome => outcomeOf(ctx, s)

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
    if (cookies.repeats(name)) return reopen()
    const clear = (e: SessionError) => {
      report(e)
      const s = newSession(req, cookies)
      clearCookies(ctx, s, 'session')
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

  return { keepAlive, keepAliveSync }
}
