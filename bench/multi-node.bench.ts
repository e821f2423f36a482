// Several app nodes writing one session: 5 engines share one store, and 50
// saves of one session (each setting its own key) run at once, spread over
// the nodes. Reported per store: saves that failed with Conflict, keys that
// the live session lacks afterwards, and how long the slowest save took.
// Each engine stands for one process: its saves queue behind each other, so
// conflicts only arise between nodes, as in production.
// Needs TESSERA_REDIS_URL and TESSERA_PG_URL (defaults: the local servers);
// a three-master Cluster is started on spare ports when redis-server is there.
import { randomBytes } from 'node:crypto'
import { createSessionEngine, type SessionStore } from '@tessera/core'
import { createPostgresStore, migrate } from '@tessera/store-postgres'
import { createRedisStore } from '@tessera/store-redis'
import { Redis } from 'ioredis'
import pg from 'pg'
import { startCluster } from '../packages/store-redis/test/support/cluster.js'
import { haveRedisServer } from '../packages/store-redis/test/support/servers.js'

const REDIS_URL = process.env.TESSERA_REDIS_URL ?? 'redis://127.0.0.1:6379'
const PG_URL = process.env.TESSERA_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const NODES = 5
const SAVES = 50
const ROUNDS = 10
const SECRET = randomBytes(32).toString('base64url')

const cookieHeader = (lines: readonly string[]) => ({ cookie: lines.map((l) => l.split(';')[0]).join('; ') })

/** One round: a fresh session, then SAVES concurrent saves over NODES engines. */
const round = async (store: SessionStore) => {
  const nodes = Array.from({ length: NODES }, () =>
    createSessionEngine({ secret: SECRET, storeMetadata: true, idlingTimeout: 0 }, { store }),
  )
  const first = nodes[0]!
  const s0 = await first.start({ headers: {} })()
  if (s0._tag === 'Left') throw new Error(`start: ${s0.left._tag}`)
  s0.right.setSubject('bench')
  const login = await first.save(s0.right)()
  if (login._tag === 'Left') throw new Error(`login: ${login.left._tag}`)
  const headers = cookieHeader(login.right.setCookie)
  let conflicts = 0
  let slowest = 0
  let last: readonly string[] = []
  await Promise.all(
    Array.from({ length: SAVES }, async (_, i) => {
      const node = nodes[i % NODES]!
      const started = performance.now()
      const s = await node.start({ headers })()
      if (s._tag === 'Left') throw new Error(`open: ${s.left._tag}`)
      s.right.set(`key${i}`, i)
      const saved = await node.save(s.right)()
      slowest = Math.max(slowest, performance.now() - started)
      if (saved._tag === 'Left') {
        if (saved.left._tag !== 'Conflict') throw new Error(`save: ${saved.left._tag}`)
        conflicts++
      } else last = saved.right.setCookie
    }),
  )
  const after = await first.open({ headers: cookieHeader(last) })()
  const lost =
    after._tag === 'Left'
      ? SAVES
      : Array.from({ length: SAVES }, (_, i) => after.right.get(`key${i}`) === i).filter((x) => !x).length
  return { conflicts, lost: lost - conflicts, slowest }
}

const measure = async (label: string, store: SessionStore) => {
  let conflicts = 0
  let lost = 0
  let slowest = 0
  for (let r = 0; r < ROUNDS; r++) {
    const x = await round(store)
    conflicts += x.conflicts
    lost += x.lost
    slowest = Math.max(slowest, x.slowest)
  }
  const total = ROUNDS * SAVES
  const pct = ((100 * conflicts) / total).toFixed(1)
  console.log(
    `${label.padEnd(22)} ${String(total).padStart(5)} saves  Conflict ${String(conflicts).padStart(3)} (${pct.padStart(4)} %)  keys lost ${String(lost).padStart(3)}  slowest save ${slowest.toFixed(0).padStart(5)} ms`,
  )
}

console.log(`${NODES} engines on one store, ${SAVES} concurrent saves of one session, ${ROUNDS} rounds`)

const prefix = `tessera-bench-${randomBytes(4).toString('hex')}`
const redis = createRedisStore({ url: REDIS_URL, prefix })
try {
  await measure('redis single node', redis)
} finally {
  const admin = new Redis(REDIS_URL)
  for (const match of [`${prefix}:*`, `{${prefix}:*`]) {
    let cursor = '0'
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', match, 'COUNT', 1000)
      if (keys.length > 0) await admin.del(...keys)
      cursor = next
    } while (cursor !== '0')
  }
  await Promise.all([redis.close(), admin.quit()])
}

if (await haveRedisServer()) {
  const cluster = await startCluster()
  const store = createRedisStore({ cluster: cluster.nodes })
  try {
    await measure('redis cluster (3)', store)
  } finally {
    await store.close()
    await cluster.stop()
  }
}

const schema = `tessera_bench_${randomBytes(4).toString('hex')}`
const pool = new pg.Pool({ connectionString: PG_URL, max: 10 })
try {
  await migrate({ pool, schema })
  await measure('postgres', createPostgresStore({ pool, schema }))
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await pool.end()
}
