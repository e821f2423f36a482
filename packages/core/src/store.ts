/**
 * The one place where the store port's Promises become TaskEithers: a
 * rejection (backend down, timeout, driver error) is a `StoreUnavailable`.
 */
import * as TE from 'fp-ts/lib/TaskEither.js'
import { type StoreUnavailable, storeUnavailable } from './errors.js'
import type { SessionStore } from './ports.js'

type Lifted<S> = {
  readonly [K in keyof S]: S[K] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => TE.TaskEither<StoreUnavailable, R>
    : never
}

/** The store with every function returning TaskEither<StoreUnavailable, _>. */
export type LiftedStore = Lifted<SessionStore>

/** Lifts every function of a store port into TaskEither. */
export const liftStore = (store: SessionStore): LiftedStore => {
  const lifted: Record<string, unknown> = {}
  for (const name of Object.keys(store) as (keyof SessionStore)[]) {
    const fn = store[name] as (...args: unknown[]) => Promise<unknown>
    if (typeof fn !== 'function') continue
    lifted[name] = (...args: unknown[]) =>
      TE.tryCatch(
        () => fn(...args),
        (cause) => storeUnavailable(name, cause),
      )
  }
  return lifted as LiftedStore
}
