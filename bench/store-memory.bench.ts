// The memory store's footprint and speed: bytes held per session, memory once
// `maxEntries` is reached, and store-level throughput against express-session's
// MemoryStore. Run with --expose-gc (bench/run.ts passes it).
import { randomBytes } from 'node:crypto'
import type { SubjectRef, WriteRequest } from '@tessera/core'
import { createMemoryStore, type MemoryStore } from '@tessera/store-memory'
import session from 'express-session'
import { bench, do_not_optimize, run, summary } from 'mitata'

const NAME = 'session'
const AUDIENCE = Buffer.from('default').toString('base64url')
const now = Math.floor(Date.now() / 1000)

if (typeof globalThis.gc !== 'function') {
  console.error('run with --expose-gc: node --import tsx --expose-gc store-memory.bench.ts')
  process.exit(1)
}
const gc = globalThis.gc

/** Heap in use after collecting everything collectable. */
const settledHeap = (): number => {
  for (let i = 0; i < 4; i++) gc()
  return process.memoryUsage().heapUsed
}

// Generated inside the measured region and not kept by the caller, so the
// strings the store retains are counted against it: a 43-char SID, a ~200-byte
// ciphertext in the reference's `["<ct>"]` layout, and a 22-char hashed subject.
const sessionWrite = (i: number): WriteRequest => {
  const subject = randomBytes(16).toString('base64url')
  const index: SubjectRef[] = [
    { audience: AUDIENCE, subject },
    { audience: '*', subject },
  ]
  return {
    name: NAME,
    key: randomBytes(32).toString('base64url'),
    value: JSON.stringify([randomBytes(150).toString('base64url')]),
    ttl: 3600 + (i % 600),
    now,
    createdAt: now,
    index,
  }
}

const fill = async (store: MemoryStore, from: number, to: number): Promise<void> => {
  for (let i = from; i < to; i++) await store.write(sessionWrite(i))
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

async function bytesPerSession(): Promise<void> {
  const n = 100_000
  const base = settledHeap()
  const store = createMemoryStore({ maxEntries: n, sweepIntervalMs: 0 })
  await fill(store, 0, n)
  const held = settledHeap() - base
  do_not_optimize(store)

  // express-session keeps JSON strings in a plain object; the session carries a
  // similar amount of data (its plaintext, where ours is ciphertext).
  const esBase = settledHeap()
  const es = new session.MemoryStore()
  for (let i = 0; i < n; i++) {
    const data = { cookie: { originalMaxAge: 3_600_000, expires: new Date(), httpOnly: true, path: '/' } }
    const user = { id: randomBytes(16).toString('base64url'), name: randomBytes(60).toString('base64url') }
    es.set(randomBytes(24).toString('base64url'), { ...data, user } as session.SessionData)
  }
  const esHeld = settledHeap() - esBase
  do_not_optimize(es)

  console.log(`\nmemory held with ${n.toLocaleString('en')} sessions (2 index entries each)`)
  console.table([
    { store: '@tessera/store-memory', heap: mib(held), 'bytes/session': Math.round(held / n) },
    { store: 'express-session MemoryStore', heap: mib(esHeld), 'bytes/session': Math.round(esHeld / n) },
  ])
  // The sweep walks every record on the timer, so its pause is worth knowing.
  let t0 = performance.now()
  store.sweep(now)
  const scan = performance.now() - t0
  t0 = performance.now()
  const swept = store.sweep(now + 10_000)
  const drain = performance.now() - t0
  console.log(
    `store.sweep() over ${n.toLocaleString('en')} records in one go: ${scan.toFixed(1)} ms with none expired,`,
  )
  console.log(`  ${drain.toFixed(1)} ms dropping all ${swept.toLocaleString('en')} (the timer works in 10k slices)`)
}

async function flatOnceFull(): Promise<void> {
  const maxEntries = 50_000
  const base = settledHeap()
  const store = createMemoryStore({ maxEntries, sweepIntervalMs: 0 })
  const rows: { written: string; size: number; heap: string }[] = []
  for (let written = 0; written < 3 * maxEntries; written += maxEntries) {
    await fill(store, written, written + maxEntries)
    rows.push({
      written: (written + maxEntries).toLocaleString('en'),
      size: store.size(),
      heap: kib(settledHeap() - base),
    })
  }
  console.log(`\nheap above baseline with maxEntries ${maxEntries.toLocaleString('en')}`)
  console.table(rows)
  store.clear()
}

async function throughput(): Promise<void> {
  const pool = 10_000
  const requests = Array.from({ length: pool }, (_, i) => sessionWrite(i))
  const refs = requests.map((r) => r.index[0]!)
  const tessera = createMemoryStore({ maxEntries: 100_000, sweepIntervalMs: 0 })
  const es = new session.MemoryStore()
  const esData = requests.map((r) => ({
    cookie: { originalMaxAge: 3_600_000, expires: new Date((now + 3600) * 1000), httpOnly: true, path: '/' },
    user: { id: r.index[0]!.subject, ct: r.value },
  })) as unknown as session.SessionData[]
  let t = 0
  let e = 0

  summary(() => {
    bench('@tessera/store-memory write + read + listIndex', async () => {
      const i = t++ % pool
      const r = requests[i]!
      await tessera.write(r)
      do_not_optimize(await tessera.read(NAME, r.key, now))
      do_not_optimize(await tessera.listIndex(NAME, refs[i]!, now))
    }).baseline(true)
    bench('express-session MemoryStore set + get', async () => {
      const i = e++ % pool
      const key = requests[i]!.key
      await new Promise<void>((resolve) => es.set(key, esData[i]!, () => resolve()))
      do_not_optimize(await new Promise((resolve) => es.get(key, (_, s) => resolve(s))))
    })
  })

  const { benchmarks } = await run()
  const avg = (alias: string): number | undefined =>
    benchmarks.flatMap((b) => b.runs).find((r) => r.name.startsWith(alias))?.stats?.avg
  const ours = avg('@tessera')
  const theirs = avg('express-session')
  if (ours !== undefined && theirs !== undefined) {
    console.log(
      `\nexpress-session set+get takes ${(theirs / ours).toFixed(2)}x the time of tessera write+read+listIndex`,
    )
  }
}

await bytesPerSession()
await flatOnceFull()
await throughput()
