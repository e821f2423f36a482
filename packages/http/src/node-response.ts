/** Writing a driver's plan onto a `node:http` response. */
import type { ServerResponse } from 'node:http'
import type { HttpPlan } from './plan.js'
import { mergeSetCookie, setCookieLines } from './set-cookie.js'

/** Adds the session's Set-Cookie lines (once per name) and headers to whatever the app set. */
export const applyPlanHeaders = (res: ServerResponse, plan: HttpPlan): void => {
  for (const [name, value] of Object.entries(plan.headers)) res.setHeader(name, value)
  if (plan.setCookie.length === 0) return
  res.setHeader('Set-Cookie', mergeSetCookie(setCookieLines(res.getHeader('set-cookie')), plan.setCookie))
}

/** Drops what described the app's own body before the plan's body replaces it. */
export const clearBodyHeaders = (res: ServerResponse): void => {
  for (const name of res.getHeaderNames()) if (name !== 'set-cookie') res.removeHeader(name)
}
