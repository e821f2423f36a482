import { describeEngineContract } from '@tessera/testing'
import { createMemoryStore } from './index.js'

describeEngineContract('memory', async () => {
  const store = createMemoryStore()
  return { store, reset: async () => store.clear(), close: async () => store.close() }
})
