/**
 * The one place where the store port's Promises become TaskEithers: a
 * rejection (backend down, timeout, driver error) is a `StoreUnavailable`.
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type StoreUnavailable, storeUnavailable } from '../errors.js'
import type { SessionStore } from './ports.js'

type Lifted<S> = {
  readonly [K in keyof S]: S[K] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => TE.TaskEither<StoreUnavailable, R>
    : never
}

/** The store with every function returning TaskEither<StoreUnavailable, _>. */
export type LiftedStore = Lifted<SessionStore>

/**
 * Lifts every function of a store port into TaskEither. What `TE.tryCatch`
 * does (a throw or a rejection is a Left), written out: fp-ts's own runs
 * through a down-compiled async function, which cost ~15 µs of profiled CPU
 * per request on the Redis store's HTTP path.
 */
export const liftStore = (store: SessionStore): LiftedStore => {
  const lifted: Record<string, unknown> = {}
  for (const name of Object.keys(store) as (keyof SessionStore)[]) {
    const fn = store[name] as (...args: unknown[]) => Promise<unknown>
    if (typeof fn !== 'function') continue
    const unavailable = (cause: unknown) => E.left(storeUnavailable(name, cause))
    lifted[name] =
      (...args: unknown[]): TE.TaskEither<StoreUnavailable, unknown> =>
      () => {
        try {
          return fn(...args).then(E.right, unavailable)
        } catch (cause) {
          return Promise.resolve(unavailable(cause))
        }
      }
  }
  return lifted as LiftedStore
}
