/** Opt-in typing of `ctx.session` for middleware that is not chained after `tessera()`. */
import type { HttpSession, SessionData } from '@tessera/http'
import type {} from 'koa'

/**
 * Register your session data type here to get a typed `ctx.session` in every
 * middleware (Koa's own context is otherwise `any` for unknown properties),
 * and the default type argument of `tessera()`:
 * @example
 * declare module '@tessera/koa' {
 *   interface SessionTypes {
 *     data: { user: string }
 *   }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: apps add `data` by declaration merging
export interface SessionTypes {}

/** The data type registered in `SessionTypes`, or `SessionData` when there is none. */
export type RegisteredData = SessionTypes extends { data: infer D extends SessionData } ? D : SessionData

/** What Koa's context gains: `session` once a data type is registered, nothing before. */
export type ContextSession = SessionTypes extends { data: infer D extends SessionData }
  ? { session: HttpSession<D> }
  : Record<never, never>

declare module 'koa' {
  interface DefaultContext extends ContextSession {}
}
