import { createServer, type Socket } from 'node:net'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresStore, migrate, type PostgresStore } from '../src/index.js'
import { canRunServer, startThrowawayServer, type ThrowawayServer } from './throwaway-server.js'

const TIMEOUT_MS = 1000
const name = 'session'
const ref = { audience: 'YXVk', subject: 'dXNlcg' }
const seconds = (): number => Math.floor(Date.now() / 1000)

/** Runs a call that must fail; resolves to how long it took to reject. */
const rejectionTime = async (call: () => Promise<unknown>): Promise<number> => {
  const started = performance.now()
  await expect(call()).rejects.toThrow(/@tessera\/store-postgres: \w+ failed/)
  return performance.now() - started
}

if (!canRunServer && process.env.CI === 'true') {
  // CI must never go green without having run these.
  describe('a server that goes away and comes back', () => {
    it('needs initdb and pg_ctl', () => expect.fail('no initdb/pg_ctl found, and CI=true'))
  })
} else if (!canRunServer)
  console.warn('!! @tessera/store-postgres: no initdb/pg_ctl found; the fault tests are SKIPPED')

describe.skipIf(!canRunServer)('a server that goes away and comes back', () => {
  let server: ThrowawayServer | undefined
  let store: PostgresStore
  const timings: Record<string, number> = {}

  beforeAll(async () => {
    server = await startThrowawayServer()
    await migrate({ connectionString: server.url })
    store = createPostgresStore({ connectionString: server.url, statementTimeoutMs: TIMEOUT_MS })
  }, 30_000)
  afterAll(async () => {
    await store?.close()
    server?.destroy()
    console.log('fault timings (ms) and mid-run call counts:', timings)
  })

  it('fails fast when stopped mid-run, then serves again from the same store object', async () => {
    const now = seconds()
    await store.write({ name, key: 'kept', value: '["ct"]', ttl: 600, now, createdAt: now, index: [ref] })
    // Four request loops keep reading while the server is stopped under them.
    let stopped = false
    const outcomes: { ok: boolean; ms: number }[] = []
    const loop = async (): Promise<void> => {
      while (!stopped) outcomes.push(await timed(() => store.read(name, 'kept', now)))
      for (let i = 0; i < 5; i++) outcomes.push(await timed(() => store.read(name, 'kept', now)))
    }
    const loops = Array.from({ length: 4 }, loop)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await server!.stopAsync()
    stopped = true
    await Promise.all(loops)
    timings.midRunSlowest = Math.max(...outcomes.map((o) => o.ms))
    timings.midRunServed = outcomes.filter((o) => o.ok).length
    timings.midRunRejected = outcomes.filter((o) => !o.ok).length
    expect(outcomes.some((o) => o.ok)).toBe(true)
    expect(outcomes.filter((o) => !o.ok).length).toBeGreaterThanOrEqual(20)
    expect(timings.midRunSlowest).toBeLessThan(TIMEOUT_MS + 250)
    timings.stoppedRead = await rejectionTime(() => store.read(name, 'kept', now))
    timings.stoppedWrite = await rejectionTime(() =>
      store.write({ name, key: 'lost', value: '["x"]', ttl: 600, now, createdAt: now, index: [ref] }),
    )
    expect(Math.max(timings.stoppedRead, timings.stoppedWrite)).toBeLessThan(TIMEOUT_MS + 250)

    server!.start()
    const restarted = performance.now()
    await expect.poll(() => store.read(name, 'kept', now).catch(() => 'down'), { timeout: 5000 }).not.toBe('down')
    timings.recovered = performance.now() - restarted
    expect(await store.read(name, 'kept', now)).toMatchObject({ value: '["ct"]', version: 1 })
    expect(await store.listIndex(name, ref, now)).toEqual([{ key: 'kept', expiresAt: now + 600 }])
    expect(await store.read(name, 'lost', now)).toBeNull()
  }, 20_000)

  it('times out on a frozen server instead of hanging, then recovers when it thaws', async () => {
    const now = seconds()
    server!.freeze()
    try {
      timings.frozenRead = await rejectionTime(() => store.read(name, 'kept', now))
      timings.frozenRemoveIndexed = await rejectionTime(() => store.removeIndexed(name, ref, [], now))
    } finally {
      server!.thaw()
    }
    for (const t of [timings.frozenRead, timings.frozenRemoveIndexed]) {
      expect(t).toBeGreaterThanOrEqual(TIMEOUT_MS - 50)
      expect(t).toBeLessThan(TIMEOUT_MS + 250)
    }
    await expect.poll(() => store.read(name, 'kept', now).catch(() => 'down'), { timeout: 5000 }).not.toBe('down')
    expect(await store.listIndex(name, ref, now)).toHaveLength(1)
  }, 20_000)
})

/** Runs a call that may succeed or fail; reports which, and how long it took. */
const timed = async (call: () => Promise<unknown>): Promise<{ ok: boolean; ms: number }> => {
  const started = performance.now()
  const ok = await call().then(
    () => true,
    () => false,
  )
  return { ok, ms: performance.now() - started }
}

// No Postgres needed: a listener that accepts connections and never says a word.
describe('an application pool with no timeouts of its own', () => {
  it('still rejects every call at the statement timeout', async () => {
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/test` })
    pool.on('error', () => {})
    const store = createPostgresStore({ pool, statementTimeoutMs: 300 })
    try {
      const elapsed = await rejectionTime(() => store.isDenied(name, 'k', seconds()))
      expect(elapsed).toBeGreaterThanOrEqual(250)
      expect(elapsed).toBeLessThan(550)
      await expect(store.read(name, 'k', seconds())).rejects.toThrow(/read failed: timed out after 300 ms/)
    } finally {
      for (const socket of sockets) socket.destroy()
      silent.close()
      await store.close()
      await pool.end().catch(() => {})
    }
  })
})
