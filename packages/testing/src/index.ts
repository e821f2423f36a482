export type { ChunkVector, FakeClock, LuaVector } from '@tessera/test-kit'
export {
  chunkVectors,
  cookieJar,
  fakeClock,
  kongVector,
  kongVectors,
  luaVector,
  luaVectors,
  optionsFromVector,
  referenceBoundMac,
  requestWith,
  runLeft,
  runRight,
  scriptedRandom,
} from '@tessera/test-kit'
export { describeEngineContract } from './engine-contract.js'
export { fresh, NAME, nowSeconds, ref, sid, storedValue, successorOf } from './fixtures.js'
export type { StoreCapabilities, StoreHarness } from './harness.js'
export { describeRevocationStoreContract, describeSessionStoreContract } from './store-contract.js'
