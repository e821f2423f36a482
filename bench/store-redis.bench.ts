// @tessera/store-redis against connect-redis 7 (express-session's Redis store)
// on the same Redis, in one run: a session write (with its two subject-index
// entries, in one Lua script) + a read of it, against connect-redis's set + get.
// Rounds alternate sides (and which goes first), 50 operations in flight.
// connect-redis runs twice: on a default ioredis client, as its README sets it
// up, and on an auto-pipelined client (its fastest setting here, which the
// store's own client leaves off: see failFastOptions).
// Needs TESSERA_REDIS_URL (default redis://127.0.0.1:6379).
import { randomBytes } from 'node:crypto'
import type { SubjectRef } from '@tessera/core'
import { createRedisStore, failFastOptions } from '@tessera/store-redis'
import RedisStore from 'connect-redis'
import type session from 'express-session'
import { Redis } from 'ioredis'

const URL = process.env.TESSERA_REDIS_URL ?? 'redis://127.0.0.1:6379'
const ROUNDS = 8
const ROUND_MS = 350
const CONCURRENCY = 50
const SUBJECTS = 1000
const NAME = 'session'
const AUDIENCE = Buffer.from('default').toString('base64url')

const run = randomBytes(4).toString('hex')
const prefix = `tessera-bench-${run}`
const key = (): string => randomBytes(32).toString('base64url') // 43 chars, like a SID
const ciphertext = (): string => randomBytes(150).toString('base64url') // 200 chars
const subjectOf = (i: number): string => Buffer.from(`user-${i % SUBJECTS}`).toString('base64url')
const refs = (subject: string): SubjectRef[] => [
  { audience: AUDIENCE, subject },
  { audience: '*', subject },
]

const store = createRedisStore({ url: URL, prefix })
const plainClient = new Redis(URL)
const pipelinedClient = new Redis(URL, { ...failFastOptions(), enableAutoPipelining: true })
const connectRedis = (client: Redis, side: string) => {
  const cr = new RedisStore({ client, prefix: `${prefix}-${side}:` })
  return {
    set: (sid: string, sess: session.SessionData) =>
      new Promise<void>((resolve, reject) => cr.set(sid, sess, (e?: unknown) => (e ? reject(e) : resolve()))),
    get: (sid: string) =>
      new Promise<unknown>((resolve, reject) => cr.get(sid, (e: unknown, s?: unknown) => (e ? reject(e) : resolve(s)))),
  }
}
const crPlain = connectRedis(plainClient, 'cr')
const crPipelined = connectRedis(pipelinedClient, 'crt')

// express-session's shape for the same payload: its cookie plus the data.
const sessionOf = (i: number): session.SessionData =>
  ({
    cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000), httpOnly: true, path: '/' },
    user: { subject: subjectOf(i), data: ciphertext() },
  }) as unknown as session.SessionData

const tessera = (indexed: boolean) => async (i: number) => {
  const now = Math.floor(Date.now() / 1000)
  const k = key()
  const value = JSON.stringify([ciphertext()])
  const index = indexed ? refs(subjectOf(i)) : []
  await store.write({ name: NAME, key: k, value, ttl: 3600, now, createdAt: now, index })
  if ((await store.read(NAME, k, now)) === null) throw new Error('tessera: lost a write')
}

type Side = 'tessera' | 'tessera, no index' | 'connect-redis' | 'connect-redis, auto-pipelined'
const ops: Record<Side, (i: number) => Promise<void>> = {
  tessera: tessera(true),
  // What the two index entries cost: the same write with none.
  'tessera, no index': tessera(false),
  'connect-redis': async (i) => {
    const sid = key()
    await crPlain.set(sid, sessionOf(i))
    if ((await crPlain.get(sid)) == null) throw new Error('connect-redis: lost a write')
  },
  'connect-redis, auto-pipelined': async (i) => {
    const sid = key()
    await crPipelined.set(sid, sessionOf(i))
    if ((await crPipelined.get(sid)) == null) throw new Error('connect-redis: lost a write')
  },
}

/** Runs `op` with CONCURRENCY in flight for `ms`; returns each operation's latency in ms. */
const round = async (op: (i: number) => Promise<void>, ms: number): Promise<number[]> => {
  const latencies: number[] = []
  const end = performance.now() + ms
  let i = 0
  const lane = async () => {
    while (performance.now() < end) {
      const t0 = performance.now()
      await op(i++)
      latencies.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane))
  return latencies
}

// Redis's own CPU seconds, to show where each side spends: the rounds share one Redis.
const admin = new Redis(URL)
const redisCpu = async (): Promise<number> => {
  const info = await admin.info('cpu')
  return [...info.matchAll(/used_cpu_(?:user|sys):([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]), 0)
}

const sides = Object.keys(ops) as Side[]
const results = new Map<Side, { latencies: number[]; ms: number; cpu: number; nodeCpu: number }>(
  sides.map((s) => [s, { latencies: [], ms: 0, cpu: 0, nodeCpu: 0 }]),
)
for (const side of sides) await round(ops[side], 150) // warm-up: connections, script cache, JIT
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? sides : [...sides].reverse()
  for (const side of order) {
    const cpu0 = await redisCpu()
    const node0 = process.cpuUsage()
    const t0 = performance.now()
    const latencies = await round(ops[side], ROUND_MS)
    const result = results.get(side)!
    result.ms += performance.now() - t0
    const node = process.cpuUsage(node0)
    result.nodeCpu += node.user + node.system
    result.cpu += (await redisCpu()) - cpu0
    result.latencies.push(...latencies)
  }
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const rows = sides.map((side) => {
  const { latencies, ms, cpu, nodeCpu } = results.get(side)!
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    side,
    ops: latencies.length,
    opsPerSec: (latencies.length / ms) * 1000,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    redisUs: (cpu * 1e6) / latencies.length,
    nodeUs: nodeCpu / latencies.length,
  }
})
console.log(
  `\nwrite + read of one session, ${CONCURRENCY} in flight, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms per side`,
)
console.table(
  rows.map((r) => ({
    side: r.side,
    ops: r.ops,
    'ops/s': Math.round(r.opsPerSec),
    'p50 ms': r.p50.toFixed(2),
    'p99 ms': r.p99.toFixed(2),
    'Redis CPU µs/op': r.redisUs.toFixed(1),
    // This process: the client library, the store's own work, and the harness (random keys and values).
    'Node CPU µs/op': r.nodeUs.toFixed(1),
  })),
)
const [ours, , ...peers] = rows
for (const peer of peers) {
  const throughput = (ours!.opsPerSec / peer.opsPerSec).toFixed(2)
  console.log(
    `tessera vs ${peer.side}: ${throughput}x throughput, p99 ${ours!.p99.toFixed(2)} vs ${peer.p99.toFixed(2)} ms`,
  )
}

// Everything this run wrote: records, companions (`{prefix:…}`), indexes, connect-redis's keys.
for (const match of [`${prefix}*`, `{${prefix}*`]) {
  for await (const keys of admin.scanStream({ match, count: 1000 })) if (keys.length > 0) await admin.unlink(...keys)
}
await Promise.all([store.close(), plainClient.quit(), pipelinedClient.quit(), admin.quit()])
