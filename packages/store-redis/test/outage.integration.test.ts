import { afterAll, expect, it } from 'vitest'
import { createRedisStore, type RedisStore } from '../src/index.js'
import { canStartServers, describeIf } from './support/gate.js'
import { type Server, sparePort, startServer, stopAll, until } from './support/servers.js'

const TIMEOUT_MS = 2000
const nowSeconds = () => Math.floor(Date.now() / 1000)

/** Milliseconds `promise` took to reject, failing if it resolved. */
const rejectsIn = async (promise: Promise<unknown>): Promise<{ ms: number; message: string }> => {
  const started = performance.now()
  const message = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => String(e instanceof Error ? e.message : e),
  )
  return { ms: performance.now() - started, message }
}

describeIf('store-redis with Redis unreachable', await canStartServers(), 'redis-server (to start one late)', () => {
  let server: Server | undefined
  let store: RedisStore | undefined
  afterAll(async () => {
    await store?.close()
    if (server !== undefined) await stopAll([server], [server.dir])
  })

  it('fails at once while the connection is known down, logs the outage and the recovery once each, and reports readiness', async () => {
    const port = await sparePort()
    const lines: string[] = []
    store = createRedisStore({
      url: `redis://:hunter2@127.0.0.1:${port}`,
      commandTimeoutMs: TIMEOUT_MS,
      log: (l) => lines.push(l),
    })
    expect(store.target).toBe(`redis://127.0.0.1:${port}`)

    // At start-up: ready() says no as soon as the connection is refused, not after the timeout.
    const start = await rejectsIn(store.ready())
    expect(start.message).toMatch(/unreachable.*ECONNREFUSED/)
    expect(start.ms).toBeLessThan(TIMEOUT_MS / 2)

    // 25 requests' worth of calls while down: each rejected at once, naming the store.
    const calls = await Promise.all(
      Array.from({ length: 25 }, (_, i) => rejectsIn(store!.read('session', `k${i}`, nowSeconds()))),
    )
    const slowest = Math.max(...calls.map((c) => c.ms))
    console.info(`[store-redis] down: 25 reads rejected, slowest ${slowest.toFixed(1)} ms`)
    expect(slowest).toBeLessThan(100)
    expect(calls[0]!.message).toContain(`redis://127.0.0.1:${port} is unreachable`)
    await expect(store.ping()).rejects.toThrow(/unreachable/)

    // One line for the outage, naming the store and never its password.
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`redis://127\\.0\\.0\\.1:${port} is unreachable`))
    expect(lines.join('\n')).not.toContain('hunter2')

    // Redis comes up on that port: the store reconnects by itself and says so once.
    server = await startServer({ port })
    await until('the store back', async () => (await store!.ping()) >= 0, 10_000)
    await expect(store.ready()).resolves.toBeUndefined()
    expect(typeof (await store.ping())).toBe('number')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toMatch(new RegExp(`redis://127\\.0\\.0\\.1:${port} is reachable again after [\\d.]+ s`))

    // Closing on purpose is no outage.
    await store.close()
    store = undefined
    expect(lines).toHaveLength(2)
  }, 30_000)
})
