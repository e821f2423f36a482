import { afterAll, beforeAll, expect, it } from 'vitest'
import { createRedisStore, type RedisStore } from '../src/index.js'
import { canStartServers, describeIf } from './support/gate.js'
import { type Server, startServer, stopAll, until } from './support/servers.js'

const TIMEOUT_MS = 500
const nowSeconds = () => Math.floor(Date.now() / 1000)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Outcome {
  readonly ok: boolean
  readonly ms: number
  readonly at: number
}

describeIf('store-redis while Redis restarts', await canStartServers(), 'redis-server (to restart one)', () => {
  let server: Server
  let store: RedisStore
  const dirs: string[] = []

  beforeAll(async () => {
    server = await startServer()
    dirs.push(server.dir)
    store = createRedisStore({ url: `redis://127.0.0.1:${server.port}`, commandTimeoutMs: TIMEOUT_MS })
  })
  afterAll(async () => {
    await store?.close()
    await stopAll([server], dirs)
  })

  it('fails fast while Redis is down and serves fully once it is back', async () => {
    const outcomes: Outcome[] = []
    let stop = false
    // Ten clients in a loop, each saving and reading back its own session.
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const started = Date.now()
        const now = nowSeconds()
        const key = `w${w}-${i}`
        const ok = await store
          .write({ name: 'session', key, value: '["ct"]', ttl: 60, now, createdAt: now, index: [] })
          .then(() => store.read('session', key, now))
          .then(
            (record) => record !== null,
            () => false,
          )
        outcomes.push({ ok, ms: Date.now() - started, at: started })
        if (!ok) await sleep(20)
      }
    }
    const workers = Array.from({ length: 10 }, (_, w) => worker(w))

    await sleep(500)
    const killAt = Date.now()
    await server.kill()
    const downAt = Date.now()
    await sleep(2000)
    const restartAt = Date.now()
    server = await startServer({ port: server.port, dir: server.dir })
    const upAt = Date.now()
    await until('service back', async () => outcomes.some((o) => o.ok && o.at > upAt), 10_000)
    const backAt = outcomes.find((o) => o.ok && o.at > upAt)!.at
    await sleep(500)
    stop = true
    await Promise.all(workers)

    const down = outcomes.filter((o) => o.at > downAt + 100 && o.at + o.ms < restartAt)
    const after = outcomes.filter((o) => o.at > backAt + 200)
    console.info(
      `[store-redis] restart: ${down.length} calls while down (slowest ${Math.max(...down.map((o) => o.ms))} ms),` +
        ` service back ${backAt - upAt} ms after restart, ${after.length} calls after, all ok: ${after.every((o) => o.ok)}`,
    )
    expect(outcomes.filter((o) => o.at + o.ms < killAt).every((o) => o.ok)).toBe(true)
    expect(down.length).toBeGreaterThan(0)
    expect(down.every((o) => !o.ok)).toBe(true)
    // Two calls (write then read) per outcome, each bounded by the timeout.
    expect(Math.max(...down.map((o) => o.ms))).toBeLessThanOrEqual(2 * TIMEOUT_MS + 100)
    expect(after.length).toBeGreaterThan(0)
    expect(after.every((o) => o.ok)).toBe(true)
  }, 30_000)
})
