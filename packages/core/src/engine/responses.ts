/**
 * What a response must carry for a session: the Set-Cookie lines accumulated
 * on it and the configured session headers, and the lines that expire cookies
 * a request sent.
 */

import { chunkName, expireLine, MAX_CHUNKS } from '../wire/cookies.js'
import type { EngineContext } from './context.js'
import { cookieName, nowSeconds } from './context.js'
import { sessionHeaders } from './headers.js'
import type { CookieKind } from './open-header.js'
import type { SessionImpl } from './session.js'
import type { Outcome } from './types.js'

/** The Set-Cookie lines and response headers accumulated on a session. */
export const outcomeOf = (ctx: EngineContext, s: SessionImpl): Outcome => ({
  setCookie: [...s.cookies.values()],
  headers: sessionHeaders(ctx.o, s, ctx.o.responseHeaders, nowSeconds(ctx)),
})

/** Expires the cookies of a kind (every chunk) that the request carried or this response set. */
export const clearCookies = (ctx: EngineContext, s: SessionImpl, kind: CookieKind): void => {
  const o = ctx.o
  const name = cookieName(ctx, kind)
  for (let i = 1; i <= MAX_CHUNKS; i++) {
    const n = chunkName(name, i)
    if (s.requestCookies.has(n) || s.cookies.has(n)) s.cookies.set(n, expireLine(n, o.cookie.attributes))
  }
}
