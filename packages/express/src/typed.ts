/** Opt-in typing of `req.session`: an app registers its data type once, Express's `Request` gains `session`. */
import type { HttpSession, SessionData } from '@tessera/http'

/**
 * Register your session data type here to get a typed `req.session` (and the
 * default type argument of `tessera()`):
 * @example
 * declare module '@tessera/express' {
 *   interface SessionTypes {
 *     data: { user: string; cart: string[] }
 *   }
 * }
 * // req.session is HttpSession<{ user: string; cart: string[] }> in every route
 */
// biome-ignore lint/suspicious/noEmptyInterface: apps add `data` by declaration merging
export interface SessionTypes {}

/** The data type registered in `SessionTypes`, or `SessionData` when there is none. */
export type RegisteredData = SessionTypes extends { data: infer D extends SessionData } ? D : SessionData

/** What `Request` gains: `session` once a data type is registered, nothing before (no clash with express-session). */
export type RequestSession = SessionTypes extends { data: infer D extends SessionData }
  ? { session: HttpSession<D> }
  : Record<never, never>

declare global {
  namespace Express {
    interface Request extends RequestSession {}
  }
}
