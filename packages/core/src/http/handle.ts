/** The Promise API an app sees as `req.session` / `ctx.session`. */
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Outcome, SessionEngine } from '../engine.js'
import type { SessionData } from '../entries.js'
import type { SessionError } from '../errors.js'
import type { Session } from '../session.js'
import { run } from './plan.js'

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
  /** Unencrypted info kept with `setInfo`. */
  getInfo(key: string): Promise<unknown>
  /** Saves now if anything changed (every save issues a new session id, as in lua-resty-session). */
  save(): Promise<void>
  /** Saves now under a new session id even if nothing changed: call it at login. */
  regenerate(): Promise<void>
  /** Ends this audience (the last audience ends the session); the cookies are cleared. */
  logout(): Promise<void>
  /** Ends the whole session: every chunk and the remember cookie are cleared. */
  destroy(): Promise<void>
}

/** How the handle reaches the driver's one session of the request. */
export interface HandleAccess<D extends SessionData> {
  /** Runs session calls one after another, so a save never races the final one. */
  readonly serial: <A>(op: () => Promise<A>) => Promise<A>
  /** The request's session, opened on first use. */
  readonly open: () => Promise<Session<D>>
  readonly id: () => string | undefined
}

/** Builds the Promise API over a driver's session. */
export const createHandle = <D extends SessionData>(engine: SessionEngine<D>, a: HandleAccess<D>): HttpSession<D> => {
  const withSession = <A>(f: (s: Session<D>) => A): Promise<A> => a.serial(async () => f(await a.open()))
  const act = (f: (s: Session<D>) => TE.TaskEither<SessionError, Outcome>) =>
    a.serial(async () => {
      await run(f(await a.open()))
    })
  return {
    get id() {
      return a.id()
    },
    load: () => a.serial(a.open),
    get: (key) => withSession((s) => s.get(key)),
    set: (key, value) => withSession((s) => s.set(key, value)),
    data: () => withSession((s) => s.data),
    subject: () => withSession((s) => s.subject),
    setSubject: (subject) => withSession((s) => s.setSubject(subject)),
    setAudience: (audience) => withSession((s) => s.setAudience(audience)),
    setRemember: (remember) => withSession((s) => s.setRemember(remember)),
    setInfo: (key, value) => withSession((s) => s.setInfo(key, value)),
    getInfo: (key) => withSession((s) => s.getInfo(key)),
    save: () =>
      a.serial(async () => {
        const s = await a.open()
        if (s.changed) await run(engine.save(s))
      }),
    regenerate: () => act(engine.save),
    logout: () => act(engine.logout),
    destroy: () => act(engine.destroy),
  }
}
