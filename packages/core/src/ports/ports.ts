/**
 * Ports: what the engine needs from the outside world, shaped by the session
 * domain. Adapters implement them with plain Promise-returning functions; the
 * engine lifts a store's into `Either` in one place (`lift.ts`).
 *
 * The store is two ports, by use: session records with the subject index
 * (`records.ts`, server storage) and revocation marks (`revocation.ts`,
 * cookie storage). Times crossing them are epoch SECONDS (like the
 * reference's storage API); the Clock port speaks milliseconds.
 */
import type { SessionRecordStore } from './records.js'
import type { RevocationStore } from './revocation.js'

/** Wall clock, epoch milliseconds. */
export interface Clock {
  readonly now: () => number
}

/** Cryptographically strong random bytes. */
export interface RandomSource {
  readonly bytes: (n: number) => Uint8Array
}

/**
 * A whole store: session records with the subject index, and revocation
 * marks. What the memory, PostgreSQL and Redis stores implement, and what
 * server storage takes; cookie storage takes a `RevocationStore` alone.
 */
export interface SessionStore extends SessionRecordStore, RevocationStore {}
