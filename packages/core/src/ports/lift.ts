/**
 * The one place where a store's Promises become TaskEithers: a rejection
 * (backend down, timeout, driver error) is a `StoreUnavailable`. Each port
 * is lifted on its own, and only its own functions: an engine holds the
 * records and the marks apart, and one that has no records holds none.
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type StoreUnavailable, storeUnavailable } from '../errors.js'
import { RECORD_FUNCTIONS, type SessionRecordStore } from './records.js'
import { MARK_FUNCTIONS, type RevocationStore } from './revocation.js'

type Lifted<S> = {
  readonly [K in keyof S]: S[K] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => TE.TaskEither<StoreUnavailable, R>
    : never
}

/** The session records port with every function returning TaskEither<StoreUnavailable, _>. */
export type LiftedRecords = Lifted<SessionRecordStore>

/** The revocation marks port with every function returning TaskEither<StoreUnavailable, _>. */
export type LiftedMarks = Lifted<RevocationStore>

/**
 * Lifts the functions `names` of a store into TaskEither. What `TE.tryCatch`
 * does (a throw or a rejection is a Left), written out: fp-ts's own runs
 * through a down-compiled async function, which cost ~15 µs of profiled CPU
 * per request on the Redis store's HTTP path.
 */
const lift = <S>(store: S, names: readonly (keyof S & string)[]): Lifted<S> => {
  const lifted: Record<string, unknown> = {}
  for (const name of names) {
    const fn = store[name] as (...args: unknown[]) => Promise<unknown>
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
  return lifted as Lifted<S>
}

/** The session records port of a store, lifted. */
export const liftRecords = (store: SessionRecordStore): LiftedRecords => lift(store, RECORD_FUNCTIONS)

/** The revocation marks port of a store, lifted. */
export const liftMarks = (store: RevocationStore): LiftedMarks => lift(store, MARK_FUNCTIONS)
