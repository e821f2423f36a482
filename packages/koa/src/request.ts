/** A Koa context as the engine sees it, and the Koa side of a driver's plan. */
import {
  type HttpPlan,
  isParsableBody,
  mergeSetCookie,
  readBody,
  type SessionRequest,
  setCookieLines,
} from '@tessera/http'
import type { Context } from 'koa'

/** Method, original URL (for the logout query argument), headers, `ctx.ip` (honours `app.proxy`), `ctx.protocol`. */
export const toSessionRequest = (
  ctx: Context,
  needs: { readonly ip: boolean; readonly scheme: boolean },
): SessionRequest => ({
  method: ctx.method,
  url: ctx.originalUrl,
  headers: ctx.headers,
  // Read only when a session is bound to them: ctx.ip asks the socket for its peer every time.
  remoteAddress: needs.ip ? ctx.ip : undefined,
  scheme: needs.scheme ? (ctx.protocol === 'https' ? 'https' : 'http') : undefined,
})

type WithBody = { body?: unknown }

/**
 * The body for logout detection: what a body parser mounted earlier left in
 * `ctx.request.body`, else read here and left there (koa-bodyparser skips a
 * request whose body is set).
 */
export const logoutBody = async (ctx: Context): Promise<unknown> => {
  const request = ctx.request as typeof ctx.request & WithBody
  if (request.body !== undefined) return request.body
  const type = ctx.get('content-type') || undefined
  if (!isParsableBody(type)) return undefined
  request.body = await readBody(ctx.req, type)
  return request.body
}

/** Adds the session's Set-Cookie lines (once per name) and headers to what the app set. */
export const applyPlanHeaders = (ctx: Context, plan: HttpPlan): void => {
  for (const [name, value] of Object.entries(plan.headers)) ctx.set(name, value)
  if (plan.setCookie.length === 0) return
  ctx.set('Set-Cookie', mergeSetCookie(setCookieLines(ctx.response.get('Set-Cookie') || undefined), plan.setCookie))
}

/** Answers with the plan alone: the app's body and headers (but its own cookies) are dropped. */
export const replaceResponse = (ctx: Context, plan: HttpPlan & { status: number }): void => {
  const cookies = ctx.response.get('Set-Cookie')
  for (const name of ctx.res.getHeaderNames()) ctx.remove(name)
  if (cookies) ctx.set('Set-Cookie', cookies)
  applyPlanHeaders(ctx, plan)
  ctx.status = plan.status
  ctx.body = plan.body ?? ''
}
