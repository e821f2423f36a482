import { describeEngineContract, describeSessionStoreContract } from '@tessera/testing'
import { afterAll, beforeAll, expect } from 'vitest'
import { createRedisStore } from '../src/index.js'
import { startCluster, type TestCluster } from './support/cluster.js'
import { canStartServers, describeIf } from './support/gate.js'

const startable = await canStartServers()

describeIf('store-redis on a three-master Cluster', startable, 'redis-server (to start a Cluster)', () => {
  // One cluster for both suites; the outer hooks run before and after theirs.
  let cluster: TestCluster | undefined
  const acquire = (): TestCluster => cluster ?? expect.fail('the test cluster did not start')
  beforeAll(async () => {
    cluster = await startCluster()
  })
  afterAll(async () => {
    await cluster?.stop()
  })

  // Plain keys: a session's record and its indexes land in different slots,
  // so writes take the ordered, one-script-per-slot path.
  describeSessionStoreContract(
    'redis cluster, keys spread over slots',
    async () => {
      const c = acquire()
      const store = createRedisStore({ cluster: c.nodes })
      return { store, reset: c.flush, close: () => store.close() }
    },
    { realTtl: true },
  )

  // Sessions through the engine with keys spread over slots: concurrent saves
  // from several app nodes, invalidation races, limits.
  describeEngineContract('redis cluster, keys spread over slots', async () => {
    const c = acquire()
    const store = createRedisStore({ cluster: c.nodes })
    return { store, reset: c.flush, close: () => store.close() }
  })

  // A hash tag in the prefix pins every key to one slot: everything atomic again.
  describeSessionStoreContract(
    'redis cluster, one slot by a prefix hash tag',
    async () => {
      const c = acquire()
      const store = createRedisStore({ cluster: c.nodes, prefix: '{tessera}' })
      return { store, reset: c.flush, close: () => store.close() }
    },
    { realTtl: true },
  )
})
