// Kong in front, Tessera behind, one Redis: the gateway owns the cookie, the service behind
// (`upstream: true`) reads it, and the session stays one record however often both see it.
import { createSessionEngine } from '@tessera/core'
import { cookieJar, fakeClock, requestWith, runLeft, runRight } from '@tessera/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createRedisStore, type RedisStore } from '../src/index.js'
import { describeIf, REDIS_URL, randomPrefix, reachable } from './support/gate.js'

const SECRET = 'upstream-redis-test-secret-upstream-redis-01'

describeIf('upstream mode on one Redis', await reachable(REDIS_URL), `Redis at ${REDIS_URL}`, () => {
  const prefix = randomPrefix()
  let store: RedisStore
  let redis: Redis

  beforeAll(() => {
    store = createRedisStore({ url: REDIS_URL, prefix })
    redis = new Redis(REDIS_URL)
  })
  afterAll(async () => {
    const keys = [...(await redis.keys(`${prefix}:*`)), ...(await redis.keys(`{${prefix}:*`))]
    if (keys.length > 0) await redis.del(...keys)
    await Promise.all([store.close(), redis.quit()])
  })

  const setup = () => {
    const clock = fakeClock(Math.floor(Date.now() / 1000))
    const options = { secret: SECRET, storeMetadata: true, idlingTimeout: 0 }
    const gateway = createSessionEngine(options, { clock, store })
    const service = createSessionEngine({ ...options, upstream: true }, { clock, store })
    return { clock, gateway, service, browser: cookieJar() }
  }

  it('past 75% of the rolling timeout the service neither rotates nor forks the record', async () => {
    const { clock, gateway, service, browser } = setup()
    const s = await runRight(gateway.start(requestWith()))
    s.set('user', 'alice')
    s.setSubject('alice')
    browser.apply((await runRight(gateway.save(s))).setCookie)
    const key = `${prefix}:session:${s.id}`
    expect(await redis.exists(key)).toBe(1)
    clock.advance(2701)
    for (let i = 0; i < 3; i++) {
      const behind = await runRight(service.start(requestWith(browser.lines)))
      expect(behind.get('user')).toBe('alice')
      expect(behind.id).toBe(s.id)
      expect(service.outcome(behind).setCookie).toEqual([])
      expect(await runRight(service.keepAlive(requestWith(browser.lines)))).toMatchObject({ setCookie: [] })
    }
    // Still one live session for the subject, at the gateway's key.
    const index = await store.listIndex('session', { audience: '*', subject: 'YWxpY2U' }, clock.seconds())
    expect(index.map((e) => e.key)).toEqual([s.id])
    // The gateway rotates as usual, and the service follows it.
    const front = await runRight(gateway.start(requestWith(browser.lines)))
    browser.apply(gateway.outcome(front).setCookie)
    expect(front.id).not.toBe(s.id)
    expect((await runRight(service.open(requestWith(browser.lines)))).id).toBe(front.id)
  })

  it('a save writes the info in place: same key, same TTL, the gateway reads it', async () => {
    const { gateway, service, browser } = setup()
    const s = await runRight(gateway.start(requestWith()))
    s.set('user', 'bob')
    browser.apply((await runRight(gateway.save(s))).setCookie)
    const key = `${prefix}:session:${s.id}`
    const before = await redis.get(key)
    const ttl = await redis.ttl(key)
    const behind = await runRight(service.open(requestWith(browser.lines)))
    behind.setInfo('lastPage', '/orders')
    expect((await runRight(service.save(behind))).setCookie).toEqual([])
    const after = await redis.get(key)
    expect(after).not.toBe(before)
    expect(JSON.parse(after ?? '[]')[0]).toBe(JSON.parse(before ?? '[]')[0])
    expect(await redis.ttl(key)).toBeGreaterThanOrEqual(ttl - 1)
    const seen = await runRight(gateway.open(requestWith(browser.lines)))
    expect(seen.getInfo('lastPage')).toBe('/orders')
    expect(seen.get('user')).toBe('bob')
    // Data is the gateway's to change.
    behind.set('user', 'mallory')
    expect(await runLeft(service.save(behind))).toMatchObject({ _tag: 'UpstreamReadOnly', reason: 'data' })
    expect((await runRight(gateway.open(requestWith(browser.lines)))).get('user')).toBe('bob')
  })
})
