import { describeEngineContract, describeRevocationStoreContract, describeSessionStoreContract } from '@tessera/testing'
import { Redis } from 'ioredis'
import { createRedisStore } from '../src/index.js'
import { canStartServers, describeIf, REDIS_URL, randomPrefix, reachable } from './support/gate.js'
import { type Server, startServer, stopAll } from './support/servers.js'

// The shared Redis if it answers, else a throwaway server of our own.
const shared = await reachable(REDIS_URL)
const startable = !shared && (await canStartServers())

/** Deletes every key of a run: its records and indexes, and its companions (which begin with `{`). */
const deleteRun = async (admin: Redis, prefix: string): Promise<void> => {
  for (const match of [`${prefix}:*`, `{${prefix}:*`]) {
    let cursor = '0'
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', match, 'COUNT', 1000)
      if (keys.length > 0) await admin.del(...keys)
      cursor = next
    } while (cursor !== '0')
  }
}

/** A store on the shared Redis (or a throwaway server), in a key prefix of its own, cleaned afterwards. */
const harness = async () => {
  const server: Server | undefined = shared ? undefined : await startServer()
  const url = server === undefined ? REDIS_URL : `redis://127.0.0.1:${server.port}`
  const prefix = randomPrefix()
  const store = createRedisStore({ url, prefix })
  const admin = new Redis(url)
  return {
    store,
    reset: () => deleteRun(admin, prefix),
    close: async () => {
      await deleteRun(admin, prefix)
      await Promise.all([store.close(), admin.quit()])
      if (server !== undefined) await stopAll([server], [server.dir])
    },
  }
}

describeIf('store-redis on a single node', shared || startable, `Redis at ${REDIS_URL} or redis-server`, () => {
  describeSessionStoreContract('redis single node', harness, { realTtl: true })
  // Sessions through the engine on Redis: the reference's v4a storage calls, concurrency, invalidation.
  describeEngineContract('redis single node', harness)
  // What a cookie-storage deployment hands over: the four mark functions alone.
  describeRevocationStoreContract(
    'redis single node, its revocation marks alone',
    async () => {
      const h = await harness()
      const { deny, isDenied, setNotBefore, getNotBefore } = h.store
      return { ...h, store: { deny, isDenied, setNotBefore, getNotBefore } }
    },
    { realTtl: true },
  )
})
