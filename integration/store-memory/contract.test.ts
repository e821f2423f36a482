import { createMemoryStore } from '@tessera/store-memory'
import { describeSessionStoreContract } from '@tessera/testing'

describeSessionStoreContract(
  'memory',
  async () => {
    // A short sweep interval so the real-TTL test sees records go without a read.
    const store = createMemoryStore({ sweepIntervalMs: 100 })
    return { store, reset: async () => store.clear(), close: async () => store.close() }
  },
  { realTtl: true, purge: async ({ store }) => store.sweep() },
)
