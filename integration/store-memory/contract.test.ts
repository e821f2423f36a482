import { createMemoryStore } from '@tessera/store-memory'
import { describeRevocationStoreContract, describeSessionStoreContract } from '@tessera/testing'

describeSessionStoreContract(
  'memory',
  async () => {
    // A short sweep interval so the real-TTL test sees records go without a read.
    const store = createMemoryStore({ sweepIntervalMs: 100 })
    return { store, reset: async () => store.clear(), close: async () => store.close() }
  },
  { realTtl: true, purge: async ({ store }) => store.sweep() },
)

// The memory store's four mark functions alone, as a cookie-storage deployment would hand them over.
describeRevocationStoreContract(
  'memory, its revocation marks alone',
  async () => {
    const memory = createMemoryStore({ sweepIntervalMs: 100 })
    const { deny, isDenied, setNotBefore, getNotBefore } = memory
    return {
      store: { deny, isDenied, setNotBefore, getNotBefore },
      memory,
      reset: async () => memory.clear(),
      close: async () => memory.close(),
    }
  },
  { realTtl: true, purge: async ({ memory }) => memory.sweep() },
)
