import { describe } from 'vitest'
import { describeExpiry } from './contract/expiry.js'
import { describeIndex } from './contract/index-entries.js'
import { describeLimit } from './contract/limit.js'
import { describeMarks } from './contract/marks.js'
import { describeRaces } from './contract/races.js'
import { describeRecords } from './contract/records.js'
import { describeRotation } from './contract/rotation.js'
import { describeTouch } from './contract/touch.js'
import { type StoreCapabilities, type StoreHarness, useHarness } from './harness.js'

/**
 * The one contract every `SessionStore` adapter runs: call it at the top level
 * of a test file.
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

    describeRecords(current)
    describeRotation(current)
    describeIndex(current)
    describeMarks(current)
    describeExpiry(current, capabilities)
    describeRaces(current)
    describeLimit(current, name)
    describeTouch(current)
  })
}
