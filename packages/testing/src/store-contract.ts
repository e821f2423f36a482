import type { RevocationStore } from '@tessera/core'
import { describe } from 'vitest'
import { describeMarkExpiry, describeRecordExpiry } from './contract/expiry.js'
import { describeIndex } from './contract/index-entries.js'
import { describeLimit } from './contract/limit.js'
import { describeMarks } from './contract/marks.js'
import { describeRaces } from './contract/races.js'
import { describeRecords } from './contract/records.js'
import { describeRotation } from './contract/rotation.js'
import { describeTouch } from './contract/touch.js'
import { describeCookieRevocation } from './engine/revocation.js'
import { type HarnessRef, type StoreCapabilities, type StoreHarness, useHarness } from './harness.js'

/** The session records port (`SessionRecordStore`): records, rotation, the subject index, limits, touches. */
const describeRecordPort = <H extends StoreHarness>(
  current: HarnessRef<H>,
  capabilities: StoreCapabilities<H>,
  name: string,
): void => {
  describe('session records (SessionRecordStore)', () => {
    describeRecords(current)
    describeRotation(current)
    describeIndex(current)
    describeRecordExpiry(current, capabilities)
    describeRaces(current)
    describeLimit(current, name)
    describeTouch(current)
  })
}

/** The revocation marks port (`RevocationStore`): the denylist and not-before marks, and their expiry. */
const describeMarkPort = <H extends StoreHarness<RevocationStore>>(
  current: HarnessRef<H>,
  capabilities: StoreCapabilities<H>,
): void => {
  describe('revocation marks (RevocationStore)', () => {
    describeMarks(current)
    describeMarkExpiry(current, capabilities)
  })
}

/**
 * The one contract every `SessionStore` adapter runs: call it at the top level
 * of a test file. Its tests are grouped by port, session records and
 * revocation marks.
 *
 * @example
 * describeSessionStoreContract('memory', async () => {
 *   const store = createMemoryStore()
 *   return { store, reset: async () => store.clear(), close: async () => store.close() }
 * }, { realTtl: true })
 */
export function describeSessionStoreContract<H extends StoreHarness>(
  name: string,
  setup: () => Promise<H>,
  capabilities: StoreCapabilities<H> = {},
): void {
  describe(`SessionStore contract: ${name}`, () => {
    const current = useHarness(setup, 'contract')
    describeRecordPort(current, capabilities, name)
    describeMarkPort(current, capabilities)
  })
}

/**
 * The contract of a store of revocation marks alone, all cookie storage needs:
 * the `RevocationStore` functions, then a cookie-storage engine revoking
 * through it (logout, a save in flight, `invalidateSubject`). A whole
 * `SessionStore` passes it too.
 *
 * @example
 * describeRevocationStoreContract('my marks', async () => {
 *   const store = createMyMarks()
 *   return { store, reset: () => store.clear() }
 * })
 */
export function describeRevocationStoreContract<H extends StoreHarness<RevocationStore>>(
  name: string,
  setup: () => Promise<H>,
  capabilities: StoreCapabilities<H> = {},
): void {
  describe(`RevocationStore contract: ${name}`, () => {
    const current = useHarness(setup, 'contract')
    describeMarkPort(current, capabilities)
    describe('cookie storage through it', () => {
      describeCookieRevocation(current)
    })
  })
}
