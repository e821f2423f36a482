export { fresh, NAME, nowSeconds, ref, sid, storedValue, successorOf } from './fixtures.js'
export type { HarnessRef, StoreCapabilities, StoreHarness } from './harness.js'
export { describeSessionStoreContract } from './store-contract.js'
