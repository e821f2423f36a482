// What a binding names from core, so that bindings depend on this package alone.
export type { EngineDeps, SessionData, SessionEngine, SessionOptions, SessionRequest } from '@tessera/core'
export { isParsableBody, MAX_LOGOUT_BODY, parseBody, readBody } from './body.js'
export type { HeadHooks } from './defer.js'
export { deferHead } from './defer.js'
export type { BindingDeps, HttpOptions, HttpSessionDriver } from './driver.js'
export { beginNeeded, bindingSetup, createHttpSession } from './driver.js'
export type { HttpSession } from './handle.js'
export { requestHeaderNames } from './headers.js'
export type { LogoutCheck } from './logout.js'
export { bodyRequestsLogout, checkLogout } from './logout.js'
export { applyPlanHeaders, clearBodyHeaders } from './node-response.js'
export type { HttpOutcome } from './outcomes.js'
export {
  HTTP_OUTCOMES,
  httpOutcomeOf,
  INVALID_COOKIE_OUTCOMES,
  isSessionHttpError,
  SessionHttpError,
} from './outcomes.js'
export type { FailurePage, HttpPlan, SessionFailure } from './plan.js'
export { run as runSessionTask } from './plan.js'
export { cookieNameOf, mergeSetCookie, NO_STORE, setCookieLines } from './set-cookie.js'
