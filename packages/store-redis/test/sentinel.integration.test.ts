import { ANY_AUDIENCE, type WriteRequest } from '@tessera/core'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createRedisStore, type RedisStore } from '../src/index.js'
import { canStartServers, describeIf } from './support/gate.js'
import { MASTER_NAME, startSentinel, type TestSentinel } from './support/sentinel.js'
import { cli, until } from './support/servers.js'

const TIMEOUT_MS = 1000
const subject = { audience: 'cG9ydGFs', subject: 'am9obkBleGFtcGxlLmNvbQ' }
const anyAudience = { audience: ANY_AUDIENCE, subject: subject.subject }
const nowSeconds = () => Math.floor(Date.now() / 1000)
const save = (key: string, now: number): WriteRequest => ({
  name: 'session',
  key,
  value: JSON.stringify([`ct-${key}`]),
  ttl: 3600,
  now,
  createdAt: now,
  index: [subject, anyAudience],
})

describeIf('store-redis with Sentinel failover', await canStartServers(), 'redis-server (to start Sentinel)', () => {
  let set: TestSentinel
  let store: RedisStore

  beforeAll(async () => {
    set = await startSentinel()
    store = createRedisStore({
      sentinel: { sentinels: set.sentinels, name: MASTER_NAME },
      commandTimeoutMs: TIMEOUT_MS,
    })
    // The first connection goes through a sentinel; do not count it against the test.
    await until('store ready', async () => (await store.read('session', 'warm-up', nowSeconds())) === null)
  })
  afterAll(async () => {
    await store?.close()
    await set?.stop()
  })

  it('serves committed sessions after the master dies, and takes new saves', async () => {
    const now = nowSeconds()
    const committed = Array.from({ length: 20 }, (_, i) => `before-${i}`)
    // The store fails fast while its connection settles (a command on a stream that is not
    // writable is refused, never queued): commit with a retry, as an app would.
    for (const key of committed) {
      await until(`commit ${key}`, async () => (await store.write(save(key, now))) === 'ok')
    }
    // Committed = acknowledged by the replica too; without WAIT a write may die with the master.
    const master = new Redis({ host: '127.0.0.1', port: set.master.port })
    expect(await master.wait(1, 1000)).toBe(1)
    master.disconnect()

    // A stream of saves keeps running while the master is killed.
    let stop = false
    let failures = 0
    let slowest = 0
    let firstOkAfterKill = 0
    let killedAt = 0
    const stream = (async () => {
      for (let i = 0; !stop; i++) {
        const started = Date.now()
        const ok = await store.write(save(`during-${i}`, nowSeconds())).then(
          () => true,
          () => false,
        )
        slowest = Math.max(slowest, Date.now() - started)
        if (!ok) failures++
        // Only a save begun after the master was dead proves a new master serves.
        if (ok && killedAt > 0 && started > killedAt && firstOkAfterKill === 0) firstOkAfterKill = Date.now()
        if (!ok) await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })()
    await new Promise((resolve) => setTimeout(resolve, 300))
    await set.master.kill()
    killedAt = Date.now()
    // The sentinels' own election is Redis's business and slows down on a loaded machine (a vote
    // that finds no good replica is retried after twice the failover timeout): wait for it apart,
    // then hold the store to finding the new master promptly.
    let switchedAt = 0
    try {
      await until('the sentinels to promote the replica', () => promoted(set), 60_000)
      switchedAt = Date.now()
      const deadline = switchedAt + 10_000
      while (firstOkAfterKill === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      if (firstOkAfterKill === 0) {
        const answers = await Promise.all(
          set.sentinels.map((x) => cli(x.port, 'sentinel', 'get-master-addr-by-name', MASTER_NAME).catch(String)),
        )
        console.info(`[store-redis]   no save after the switch; the sentinels answer ${JSON.stringify(answers)}`)
      }
    } finally {
      stop = true
      await stream
    }

    console.info(
      `[store-redis] Sentinel failover: sentinels switched ${switchedAt - killedAt} ms after the master was killed, first successful save ${firstOkAfterKill - killedAt} ms after;`,
    )
    console.info(`[store-redis]   ${failures} saves rejected meanwhile, slowest call settled in ${slowest} ms`)
    expect(firstOkAfterKill, 'a save succeeded within 10 s of the switch').toBeGreaterThan(0)
    expect(slowest).toBeLessThan(TIMEOUT_MS + 500)

    const later = nowSeconds()
    // The client may reconnect once more as the sentinels settle; fail-fast calls then reject for a
    // moment, which is the behaviour we want. Wait for service, then check what was committed.
    await until(
      'reads served after failover',
      async () => (await store.read('session', 'probe', later).catch(() => 'down')) === null,
    )
    for (const key of committed) expect(await store.read('session', key, later)).toMatchObject({ version: 1 })
    const listed = (await store.listIndex('session', subject, later)).map((e) => e.key)
    expect(listed).toEqual(expect.arrayContaining(committed))
    expect(await store.write(save('after', later))).toBe('ok')
    expect(await store.read('session', 'after', later)).not.toBeNull()
  }, 100_000)
})

/** True once a majority of the sentinels name the former replica as the master. */
const promoted = async (set: TestSentinel): Promise<boolean> => {
  const answers = await Promise.all(
    set.sentinels.map((s) => cli(s.port, 'sentinel', 'get-master-addr-by-name', MASTER_NAME).catch(() => '')),
  )
  return answers.filter((a) => a.split('\n')[1] === String(set.replica.port)).length >= 2
}
