import { describe } from 'vitest'
import { describeConcurrency } from './engine/concurrency.js'
import { describeFailures } from './engine/failures.js'
import { describeFixation } from './engine/fixation.js'
import {
  describeEndSession,
  describeInvalidation,
  describeInvalidationRace,
  describeRemembered,
} from './engine/invalidation.js'
import { describeSessionLimit } from './engine/limit.js'
import { describeCookieRevocation } from './engine/revocation.js'
import { describeV4a } from './engine/v4a.js'
import { marksAlone } from './engine/world.js'
import { type StoreHarness, useHarness } from './harness.js'

/**
 * Session scenarios through the engine on a real store: the reference's
 * storage layout, concurrent saves, stale cookies, invalidation, limits and
 * a store that is down. Every store adapter runs it beside the store contract.
 *
 * @example
 * describeEngineContract('memory', async () => {
 *   const store = createMemoryStore()
 *   return { store, reset: async () => store.clear(), close: async () => store.close() }
 * })
 */
export function describeEngineContract<H extends StoreHarness>(name: string, setup: () => Promise<H>): void {
  describe(`Engine on ${name}`, () => {
    const current = useHarness(setup, 'engine')
    describeV4a(current)
    describeConcurrency(current)
    describeFixation(current)
    describeInvalidation(current)
    describeInvalidationRace(current)
    describe('cookie storage on the whole store', () => {
      describeCookieRevocation(current)
    })
    describe('cookie storage on its revocation marks alone', () => {
      describeCookieRevocation(() => ({ ...current(), store: marksAlone(current().store) }))
    })
    describeEndSession(current)
    describeRemembered(current)
    describeSessionLimit(current, name)
    describeFailures(current)
  })
}
