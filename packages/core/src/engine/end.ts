/**
 * Ending a session: logout (one audience of the cookie; the whole session when it is
 * the only one) and destroy (every cookie and record of the session).
 */
import * as E from 'fp-ts/lib/Either.js'
import { closed, type SessionError, upstreamReadOnly } from '../errors.js'
import { expireLine } from '../wire/cookies.js'
import type { SessionData } from '../wire/entries.js'
import { type EngineContext, nowSeconds } from './context.js'
import { forgetCookie } from './forget.js'
import { forgetRecent } from './open.js'
import { clearCookies, outcomeOf } from './responses.js'
import type { SessionImpl } from './session.js'
import type { Outcome } from './types.js'
import { endRefusal } from './upstream.js'

type Result<A> = Promise<E.Either<SessionError, A>>

/** Logout (one audience) and destroy (the whole session). */
export const sessionEnds = <D extends SessionData>(
  ctx: EngineContext,
  saveImpl: (s: SessionImpl<D>) => Result<Outcome>,
) => {
  const o = ctx.o
  const outcome = (s: SessionImpl<D>) => outcomeOf(ctx, s)
  const clearRequestCookies = (s: SessionImpl<D>, kind: 'session' | 'remember') => clearCookies(ctx, s, kind)

  const destroyImpl = async (s: SessionImpl<D>): Result<Outcome> => {
    if (s.state === 'closed') return E.left(closed)
    if (s.state === 'new') return closeNew(s)
    const refused = o.upstream ? endRefusal(ctx) : undefined
    if (refused !== undefined) return E.left(refused)
    const now = nowSeconds(ctx)
    forgetRecent(ctx, s)
    for (const kind of ['session', 'remember'] as const) {
      const forgotten = await forgetCookie(ctx, s, kind, now)
      if (E.isLeft(forgotten)) return forgotten
    }
    // Upstream mode: the records are gone, so the gateway finds the session ended and clears its own cookie.
    if (o.upstream) return ended(s)
    clearRequestCookies(s, 'session')
    if (s.meta !== undefined) s.cookies.set(o.cookie.name, expireLine(o.cookie.name, o.cookie.attributes))
    clearRequestCookies(s, 'remember')
    if (s.rememberMeta !== undefined) {
      s.cookies.set(o.cookie.rememberName, expireLine(o.cookie.rememberName, o.cookie.attributes))
    }
    return ended(s)
  }

  const ended = (s: SessionImpl<D>): E.Either<SessionError, Outcome> => {
    if (s.state === 'open') ctx.emit({ type: 'destroyed', id: s.id ?? '', audience: s.audience })
    s.state = 'closed'
    return E.right(outcome(s))
  }

  /**
   * Ending a session that never opened one of ours: the cookies the request
   * carried belong to others (audiences this app does not have, data it
   * cannot judge) or were already cleared when found dead, so only what this
   * response set is expired.
   */
  const closeNew = (s: SessionImpl<D>): E.Either<SessionError, Outcome> => {
    for (const name of s.cookies.keys()) s.cookies.set(name, expireLine(name, o.cookie.attributes))
    s.state = 'closed'
    return E.right(outcome(s))
  }

  const logoutImpl = async (s: SessionImpl<D>): Result<Outcome> => {
    if (s.state === 'closed') return E.left(closed)
    if (s.state === 'new') return closeNew(s)
    if (s.state !== 'open' || s.entries.length <= 1) return destroyImpl(s)
    if (o.upstream)
      return E.left(
        upstreamReadOnly('data', 'ending one audience of several rewrites the cookie, which the gateway owns'),
      )
    const audience = s.audience
    s.info?.delete(audience)
    forgetRecent(ctx, s)
    s.entries.splice(s.index, 1)
    s.index = 0
    const saved = await saveImpl(s)
    if (E.isLeft(saved)) return saved
    ctx.emit({ type: 'destroyed', id: s.id ?? '', audience })
    s.state = 'closed'
    return E.right(outcome(s))
  }

  return { destroyImpl, logoutImpl }
}
