import { createMemoryStore } from '@tessera/store-memory'
import { describeEngineContract } from '@tessera/testing'

describeEngineContract('memory', async () => {
  const store = createMemoryStore()
  return { store, reset: async () => store.clear(), close: async () => store.close() }
})
