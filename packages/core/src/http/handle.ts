/** The Promise API an app sees as `req.session` / `ctx.session`. */
import type { SessionData } from '../entries.js'
import type { Session } from '../session.js'

/**
 * One request's session, opened lazily on the first awaited call. Changes
 * are saved automatically before the response head is sent.
 */
export interface HttpSession<D extends SessionData = SessionData> {
  /** The session id once opened (undefined before the first awaited call, and for a new unsaved session). */
  readonly id: string | undefined
  /** Opens the session (once per request) and returns the engine's session object. */
  load(): Promise<Session<D>>
  /** One value of this audience's data. */
  get<K extends keyof D & string>(key: K): Promise<D[K] | undefined>
  /** Sets (or, with undefined, deletes) one value; saved at the end of the request. */
  set<K extends keyof D & string>(key: K, value: D[K] | undefined): Promise<void>
  /** This audience's data. */
  data(): Promise<Readonly<Partial<D>>>
  /** The subject (e.g. user id) of this audience, if set. */
  subject(): Promise<string | undefined>
  setSubject(subject: string | undefined): Promise<void>
  setAudience(audience: string): Promise<void>
  /** Keeps (or drops) a remember-me cookie for this session. */
  setRemember(remember: boolean): Promise<void>
  /** Unencrypted info beside a server-side record, for `listSessions` (e.g. user agent). */
  setInfo(key: string, value: unknown): Promise<void>
  /** Saves now if anything changed (every save issues a new session id, as in lua-resty-session). */
  save(): Promise<void>
  /** Saves now under a new session id even if nothing changed: call it at login. */
  regenerate(): Promise<void>
  /** Ends this audience (the last audience ends the session); the cookies are cleared. */
  logout(): Promise<void>
  /** Ends the whole session: every chunk and the remember cookie are cleared. */
  destroy(): Promise<void>
}
