// @tessera/store-postgres against connect-pg-simple on the same server, in one
// run: a session write (with its two index entries) + a read of it, against
// connect-pg-simple's set + get. Rounds alternate sides (and which goes first),
// so drift in the server's state colours both alike. Index listing is ours
// alone (connect-pg-simple has no index) and is reported separately.
// Needs TESSERA_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
import { randomBytes } from 'node:crypto'
import type { SubjectRef } from '@tessera/core'
import { createPostgresStore, migrate } from '@tessera/store-postgres'
import connectPgSimple from 'connect-pg-simple'
import session from 'express-session'
import pg from 'pg'

const URL = process.env.TESSERA_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const ROUNDS = 10
const ROUND_MS = 300
const CONCURRENCY = 8 // requests in flight, as on a busy node; each side's pool has this many connections
const SUBJECTS = 1000
const NAME = 'session'
const AUDIENCE = Buffer.from('default').toString('base64url')

const schema = `tessera_bench_${randomBytes(4).toString('hex')}`
const key = (): string => randomBytes(32).toString('base64url') // 43 chars, like a SID
const ciphertext = (): string => randomBytes(150).toString('base64url') // 200 chars
const subjectOf = (i: number): string => Buffer.from(`user-${i % SUBJECTS}`).toString('base64url')
const refs = (subject: string): SubjectRef[] => [
  { audience: AUDIENCE, subject },
  { audience: '*', subject },
]

const pools = {
  tessera: new pg.Pool({ connectionString: URL, max: CONCURRENCY }),
  cps: new pg.Pool({ connectionString: URL, max: CONCURRENCY }),
}
await migrate({ pool: pools.tessera, schema })
const store = createPostgresStore({ pool: pools.tessera, schema })
const PgStore = connectPgSimple(session)
const cps = new PgStore({ pool: pools.cps, schemaName: schema, tableName: 'session', createTableIfMissing: true })
cps.pruneSessions = () => {} // no background prune skewing the rounds

const cpsSet = (sid: string, sess: session.SessionData): Promise<void> =>
  new Promise((resolve, reject) => cps.set(sid, sess, (e?: unknown) => (e ? reject(e) : resolve())))
const cpsGet = (sid: string): Promise<unknown> =>
  new Promise((resolve, reject) => cps.get(sid, (e: unknown, s?: unknown) => (e ? reject(e) : resolve(s))))

type Op = (i: number) => Promise<void>
const ops: Record<'tessera' | 'cps' | 'list', Op> = {
  tessera: async (i) => {
    const now = Math.floor(Date.now() / 1000)
    const k = key()
    const index = refs(subjectOf(i))
    await store.write({
      name: NAME,
      key: k,
      value: JSON.stringify([ciphertext()]),
      ttl: 3600,
      now,
      createdAt: now,
      index,
    })
    if ((await store.read(NAME, k, now)) === null) throw new Error('tessera: written session not found')
  },
  cps: async (i) => {
    const sid = key()
    const expires = new Date(Date.now() + 3_600_000)
    const cookie = { originalMaxAge: 3_600_000, expires, httpOnly: true, path: '/' }
    await cpsSet(sid, { cookie, user: subjectOf(i), data: ciphertext() } as unknown as session.SessionData)
    if ((await cpsGet(sid)) == null) throw new Error('connect-pg-simple: written session not found')
  },
  list: async (i) => {
    const now = Math.floor(Date.now() / 1000)
    await store.listIndex(NAME, { audience: AUDIENCE, subject: subjectOf(i) }, now)
  },
}

interface Samples {
  latencies: number[]
  elapsed: number
  /** ops/s of each round, to compare the sides round by round. */
  rounds: number[]
}
const samples: Record<keyof typeof ops, Samples> = {
  tessera: { latencies: [], elapsed: 0, rounds: [] },
  cps: { latencies: [], elapsed: 0, rounds: [] },
  list: { latencies: [], elapsed: 0, rounds: [] },
}

/** Runs `op` from CONCURRENCY loops for `ms`; returns per-op latencies (ms). */
const round = async (op: Op, ms: number, into?: Samples): Promise<void> => {
  const started = performance.now()
  const before = into?.latencies.length ?? 0
  let i = 0
  const loop = async (): Promise<void> => {
    while (performance.now() - started < ms) {
      const t = performance.now()
      await op(i++)
      into?.latencies.push(performance.now() - t)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, loop))
  if (into === undefined) return
  const elapsed = performance.now() - started
  into.elapsed += elapsed
  into.rounds.push(((into.latencies.length - before) / elapsed) * 1000)
}

try {
  for (const side of ['tessera', 'cps', 'list'] as const) await round(ops[side], 200) // warm-up: JIT, pools, plans
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['tessera', 'cps', 'list'] as const) : (['cps', 'tessera', 'list'] as const)
    for (const side of order) await round(ops[side], ROUND_MS, samples[side])
  }
} finally {
  await store.close()
  await cps.close()
  await pools.tessera.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await pools.tessera.end()
  await pools.cps.end()
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
const summarise = (s: Samples) => {
  const sorted = [...s.latencies].sort((a, b) => a - b)
  return {
    'ops/s': Math.round((s.latencies.length / s.elapsed) * 1000),
    'p50 ms': percentile(sorted, 50).toFixed(2),
    'p99 ms': percentile(sorted, 99).toFixed(2),
    ops: s.latencies.length,
  }
}
const ours = summarise(samples.tessera)
const theirs = summarise(samples.cps)
console.log(`\nPostgreSQL stores, ${ROUNDS} interleaved rounds x ${ROUND_MS} ms per side, ${CONCURRENCY} in flight`)
console.table({
  '@tessera/store-postgres write (+2 index entries) + read': ours,
  'connect-pg-simple set + get': theirs,
  '@tessera/store-postgres listIndex (one subject)': summarise(samples.list),
})
// Each tessera round against the connect-pg-simple round next to it: the median
// of those ratios shrugs off a round that a noisy neighbour slowed down.
const ratios = samples.tessera.rounds.map((r, i) => r / (samples.cps.rounds[i] ?? Number.NaN)).sort((a, b) => a - b)
console.log(
  `write + read throughput, tessera / connect-pg-simple: ${(ours['ops/s'] / theirs['ops/s']).toFixed(2)}x overall, ` +
    `${percentile(ratios, 50).toFixed(2)}x median of ${ratios.length} round pairs ` +
    `(range ${ratios[0]?.toFixed(2)}-${ratios.at(-1)?.toFixed(2)})`,
)
