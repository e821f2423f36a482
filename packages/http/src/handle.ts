/** The Promise API an app sees as `req.session` / `ctx.session`. */

import type { JsonValue, Outcome, Session, SessionData, SessionEngine, SessionError } from '@tessera/core'
import type { SyncSeam } from '@tessera/core/internal'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { run, toHttpError } from './plan.js'

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
  /** This audience's data when it is an object (see `value` for any other JSON value). */
  data(): Promise<Readonly<Partial<D>>>
  /** This audience's data as stored, whatever JSON value it is (Kong keeps an array: `kongConsumerOf`). */
  value(): Promise<JsonValue>
  /** Replaces this audience's whole data with any JSON value; saved at the end of the request. */
  replace(value: JsonValue): Promise<void>
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
  /**
   * Starts the session over now, keeping its data: a new id and creation time, and the old id
   * ended with no link to the new one (a cookie planted before login leads nowhere). Call it at login.
   */
  regenerate(): Promise<void>
  /** Ends this audience (the last audience ends the session); the cookies are cleared. */
  logout(): Promise<void>
  /** Ends the whole session: every chunk and the remember cookie are cleared. */
  destroy(): Promise<void>
}

/** How the handle reaches the driver's one session of the request. */
export interface HandleAccess<D extends SessionData> {
  /** Runs session calls one after another, so a save never races the final one. */
  serial<A>(op: () => Promise<A>): Promise<A>
  /** The request's session, opened on first use. */
  open(): Promise<Session<D>>
  /** The open session when no call is queued (opened at once when that needs no I/O), so a call can run at once. */
  ready(): Session<D> | undefined
  id(): string | undefined
  /** The engine's synchronous settle (cookie storage saves at once through it). */
  readonly sync: SyncSeam<D>
}

/**
 * The Promise API over a driver's session: one object with prototype methods
 * (no closures per request); calls on an open, idle session run at once.
 */
class SessionHandle<D extends SessionData> implements HttpSession<D> {
  constructor(
    private readonly engine: SessionEngine<D>,
    private readonly a: HandleAccess<D>,
  ) {}

  private with<A>(f: (s: Session<D>) => A): Promise<A> {
    const s = this.a.ready()
    if (s !== undefined) {
      try {
        return Promise.resolve(f(s))
      } catch (e) {
        return Promise.reject(e)
      }
    }
    return this.a.serial(async () => f(await this.a.open()))
  }
  private act(f: (s: Session<D>) => TE.TaskEither<SessionError, Outcome>): Promise<void> {
    return this.a.serial(async () => {
      await run(f(await this.a.open()))
    })
  }

  get id(): string | undefined {
    return this.a.id()
  }
  load(): Promise<Session<D>> {
    const s = this.a.ready()
    return s !== undefined ? Promise.resolve(s) : this.a.serial(() => this.a.open())
  }
  get<K extends keyof D & string>(key: K): Promise<D[K] | undefined> {
    return this.with((s) => s.get(key))
  }
  set<K extends keyof D & string>(key: K, value: D[K] | undefined): Promise<void> {
    return this.with((s) => s.set(key, value))
  }
  data(): Promise<Readonly<Partial<D>>> {
    return this.with((s) => s.data)
  }
  value(): Promise<JsonValue> {
    return this.with((s) => s.value)
  }
  replace(value: JsonValue): Promise<void> {
    return this.with((s) => s.replace(value))
  }
  subject(): Promise<string | undefined> {
    return this.with((s) => s.subject)
  }
  setSubject(subject: string | undefined): Promise<void> {
    return this.with((s) => s.setSubject(subject))
  }
  setAudience(audience: string): Promise<void> {
    return this.with((s) => s.setAudience(audience))
  }
  setRemember(remember: boolean): Promise<void> {
    return this.with((s) => s.setRemember(remember))
  }
  setInfo(key: string, value: unknown): Promise<void> {
    return this.with((s) => s.setInfo(key, value))
  }
  getInfo(key: string): Promise<unknown> {
    return this.with((s) => s.getInfo(key))
  }
  save(): Promise<void> {
    const ready = this.a.ready()
    if (ready !== undefined) {
      if (!ready.changed) return Promise.resolve()
      // Cookie storage saves at once: nothing to wait for.
      const saved = this.a.sync.save(ready)
      if (saved !== undefined) return E.isLeft(saved) ? Promise.reject(toHttpError(saved.left)) : Promise.resolve()
    }
    return this.a.serial(async () => {
      const s = await this.a.open()
      if (s.changed) await run(this.engine.save(s))
    })
  }
  regenerate(): Promise<void> {
    return this.act(this.engine.regenerate)
  }
  logout(): Promise<void> {
    return this.act(this.engine.logout)
  }
  destroy(): Promise<void> {
    return this.act(this.engine.destroy)
  }
}

/** Builds the Promise API over a driver's session. */
export const createHandle = <D extends SessionData>(engine: SessionEngine<D>, a: HandleAccess<D>): HttpSession<D> =>
  new SessionHandle(engine, a)
