import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { SessionError } from '../errors.js'
import type { EngineOptions } from '../options/schema.js'
import type { Clock, RandomSource, SessionStore } from '../ports/ports.js'
import type { RevocationStore } from '../ports/revocation.js'
import type { SessionData } from '../wire/entries.js'
import type { EventListener } from './events.js'
import type { Session } from './session.js'
import type { SessionSummary } from './subjects.js'

/** The parts of an HTTP request the engine reads. */
export interface SessionRequest {
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  readonly remoteAddress?: string | undefined
  readonly scheme?: 'http' | 'https' | undefined
}

/** What the response must carry: Set-Cookie lines and session headers. */
export interface Outcome {
  readonly setCookie: readonly string[]
  readonly headers: Readonly<Record<string, string>>
}

/** The ports an engine runs on; all optional. */
export interface EngineDeps {
  /**
   * Server storage (the default with a store) takes a whole `SessionStore`.
   * Cookie storage (`storage: 'cookie'`) takes a `RevocationStore`, the four
   * functions of revocation marks (a whole store is one), so that logout and
   * `invalidateSubject` revoke cookies; without one, a cookie is good until it
   * expires. A store that lacks what its storage needs is a ConfigError.
   */
  readonly store?: SessionStore | RevocationStore | undefined
  readonly clock?: Clock | undefined
  readonly random?: RandomSource | undefined
  readonly onEvent?: EventListener | undefined
}

export interface SessionEngine<D extends SessionData = SessionData> {
  /** The options as resolved, without the secrets (they stay inside the engine). */
  readonly options: EngineOptions
  /** Opens the request's session; Left says why there is none. */
  readonly open: (req: SessionRequest) => TE.TaskEither<SessionError, Session<D>>
  /** Opens and refreshes; a missing or rejected cookie yields a new session (server errors stay errors). */
  readonly start: (req: SessionRequest) => TE.TaskEither<SessionError, Session<D>>
  /** Saves under a new session id (server mode: the record is written before this resolves). */
  readonly save: (session: Session<D>) => TE.TaskEither<SessionError, Outcome>
  /**
   * Saves as a new session: a new id and creation time, and the old id ended with no link to the
   * new one (call it at login and at any privilege change). A change of subject does the same on save.
   */
  readonly regenerate: (session: Session<D>) => TE.TaskEither<SessionError, Outcome>
  /**
   * For a request that never read its session: checks the header (MAC and
   * timeouts) without decrypting, touches when due, rotates when due, and
   * clears a rejected cookie. What bindings run for untouched sessions.
   */
  readonly keepAlive: (req: SessionRequest) => TE.TaskEither<SessionError, Outcome>
  /** Re-issues the cookie with a new idling offset; never re-encrypts. In server storage the store records the touch time. */
  readonly touch: (session: Session<D>) => TE.TaskEither<SessionError, Outcome>
  /** Rotates past 75% of the rolling timeout, touches past `touchThreshold`, else nothing. */
  readonly refresh: (session: Session<D>) => TE.TaskEither<SessionError, Outcome>
  /** Ends the current audience; the last audience destroys the session. */
  readonly logout: (session: Session<D>) => TE.TaskEither<SessionError, Outcome>
  /** Ends the session: expires every chunk and the remember cookie, deletes or denylists it. */
  readonly destroy: (session: Session<D>) => TE.TaskEither<SessionError, Outcome>
  /** Ends one session by its id (or, with `hashStorageKey`, the `key` from `listSessions`), e.g. from a devices page. */
  readonly endSession: (q: { id?: string; key?: string; subject?: string }) => TE.TaskEither<SessionError, void>
  /** Ends every session of a subject (optionally of one audience, optionally keeping one session id). */
  readonly invalidateSubject: (q: {
    subject: string
    audience?: string
    except?: string
  }) => TE.TaskEither<SessionError, number>
  /** Lists the live sessions of a subject (server storage with `storeMetadata`). */
  readonly listSessions: (q: { subject: string; audience?: string }) => TE.TaskEither<SessionError, SessionSummary[]>
  /** The Set-Cookie lines and response headers accumulated on this session so far. */
  readonly outcome: (session: Session<D>) => Outcome
}

/** An outcome with nothing to send: outcomes are read-only, so one is shared. */
export const NOTHING: Outcome = Object.freeze({ setCookie: Object.freeze([]), headers: Object.freeze({}) })
