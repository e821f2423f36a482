import type { RevocationStore, SessionStore } from '@tessera/core'
import { afterAll, beforeAll, beforeEach } from 'vitest'

/**
 * What an adapter's `setup` hands the contract suite; it may carry extras (a pool) for its capabilities.
 * `S` is the port under test: a whole `SessionStore`, or a `RevocationStore` alone.
 */
export interface StoreHarness<S extends RevocationStore = SessionStore> {
  readonly store: S
  /** Empties the backend; runs before every test. */
  readonly reset: () => Promise<void>
  /** Releases connections and timers; runs once after the suite. */
  readonly close?: () => Promise<void>
}

/** Optional behaviour an adapter declares, enabling the tests that check it. */
export interface StoreCapabilities<H extends StoreHarness<RevocationStore> = StoreHarness> {
  /**
   * The backend drops expired records and marks by itself on the wall clock
   * (Redis TTLs, the memory store's sweep). Enables a test per port that waits ~2 s.
   */
  readonly realTtl?: boolean
  /**
   * Physically deletes everything that has expired by the wall clock (the
   * Postgres purge job, the memory store's sweep).
   */
  readonly purge?: (harness: H) => Promise<unknown>
}

/** Gives tests the harness, which only exists once `beforeAll` has run. */
export type HarnessRef<H extends StoreHarness<RevocationStore> = StoreHarness> = () => H

/**
 * Sets up a harness for the enclosing `describe`: `setup` once, `reset` before
 * every test, `close` at the end. Returns the accessor the tests use.
 */
export const useHarness = <H extends StoreHarness<RevocationStore>>(
  setup: () => Promise<H>,
  what: string,
): HarnessRef<H> => {
  let harness: H | undefined
  const current = (): H => {
    if (harness === undefined) throw new Error(`the ${what} harness is not set up yet`)
    return harness
  }
  beforeAll(async () => {
    harness = await setup()
  })
  beforeEach(async () => {
    await current().reset()
  })
  afterAll(async () => {
    await harness?.close?.()
  })
  return current
}
