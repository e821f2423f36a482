/**
 * What the HTTP edge needs of an engine beyond its API: the engine's clock,
 * and the synchronous settle it uses in cookie storage (the engine's `start`,
 * `save` and `keepAlive`, answered at once when they need no I/O and
 * undefined when they do, when the asynchronous operation runs). Not part of
 * the engine's API: `@tessera/http` reaches it through
 * `@tessera/core/internal`, so an app has one path per operation.
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { SessionError } from '../errors.js'
import type { SessionData } from '../wire/entries.js'
import type { Session } from './session.js'
import type { Outcome, SessionEngine, SessionRequest } from './types.js'

export interface SyncSeam<D extends SessionData = SessionData> {
  /** The engine's clock, in whole seconds. */
  readonly nowSeconds: () => number
  readonly start: (req: SessionRequest) => E.Either<SessionError, Session<D>> | undefined
  readonly save: (session: Session<D>) => E.Either<SessionError, Outcome> | undefined
  readonly keepAlive: (req: SessionRequest) => E.Either<SessionError, Outcome> | undefined
}

const seams = new WeakMap<object, SyncSeam<never>>()

/** An engine made elsewhere (a test double) has no seam: everything goes the asynchronous way. */
const NO_SEAM: SyncSeam<never> = {
  nowSeconds: () => Math.floor(Date.now() / 1000),
  start: () => undefined,
  save: () => undefined,
  keepAlive: () => undefined,
}

/** Called once by `createSessionEngine`. */
export const attachSyncSeam = <D extends SessionData>(engine: SessionEngine<D>, seam: SyncSeam<D>): void => {
  seams.set(engine, seam as unknown as SyncSeam<never>)
}

/** The seam of an engine. */
export const syncSeamOf = <D extends SessionData>(engine: SessionEngine<D>): SyncSeam<D> =>
  (seams.get(engine) ?? NO_SEAM) as unknown as SyncSeam<D>
