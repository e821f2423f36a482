import { randomBytes } from 'node:crypto'
import { luaVector } from '@tessera/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createRedisStore, type RedisStore } from '../src/index.js'
import { describeIf, REDIS_URL, reachable } from './support/gate.js'

/** One `storage:set` call the real lua-resty-session 4.1.5 made (vector v4a-server-storage). */
interface StorageCall {
  readonly name: string
  readonly key: string
  readonly value: string
  readonly ttl: number
  readonly old_key: string | null
  readonly stale_ttl: number
  readonly metadata: { readonly audiences: string[]; readonly subjects: string[] }
  readonly now: number
}

const calls = luaVector('v4a-server-storage').storage_calls as StorageCall[]
const [first, second] = calls as [StorageCall, StorageCall]
const refOf = (call: StorageCall) => ({ audience: call.metadata.audiences[0]!, subject: call.metadata.subjects[0]! })
const INDEX = 'session:cG9ydGFs:am9obkBleGFtcGxlLmNvbQ'
const nowSeconds = () => Math.floor(Date.now() / 1000)
const b64key = () => randomBytes(32).toString('base64url')

// No prefix: the keys must be exactly the reference's, so this test owns the
// few keys it names and deletes them afterwards.
describeIf('store-redis interop with lua-resty-session', await reachable(REDIS_URL), `Redis at ${REDIS_URL}`, () => {
  let store: RedisStore
  let redis: Redis
  const touched = new Set<string>([INDEX])
  const own = (key: string) => {
    touched.add(`session:${key}`).add(`{session:${key}}:~meta`)
    return key
  }

  beforeAll(() => {
    store = createRedisStore({ url: REDIS_URL })
    redis = new Redis(REDIS_URL)
  })
  beforeAll(() => redis.del(...touched).then(() => undefined))
  afterAll(async () => {
    await redis.del(...touched)
    await Promise.all([store.close(), redis.quit()])
  })

  it('writes the vector record exactly where and how the reference does', async () => {
    own(first.key)
    const write = { name: first.name, key: first.key, value: first.value, ttl: first.ttl, now: first.now }
    expect(await store.write({ ...write, createdAt: first.now, index: [refOf(first)] })).toBe('ok')
    expect(await redis.get(`session:${first.key}`)).toBe(first.value)
    expect(await redis.ttl(`session:${first.key}`)).toBeGreaterThanOrEqual(first.ttl - 1)
    expect(await redis.ttl(`session:${first.key}`)).toBeLessThanOrEqual(first.ttl)
    expect(await redis.zscore(INDEX, first.key)).toBe(String(first.now + first.ttl))
    expect(await store.read(first.name, first.key, first.now)).toMatchObject({ value: first.value, version: 1 })
  })

  it('rotates like the reference: new key written, old key cut to stale_ttl, index moved', async () => {
    own(second.key)
    const previous = { key: first.key, version: 1, successor: 'H'.padEnd(110, '.'), staleTtl: second.stale_ttl }
    const { name, key, value, ttl, now } = second
    expect(
      await store.write({ name, key, value, ttl, now, createdAt: first.now, index: [refOf(second)], previous }),
    ).toBe('ok')
    expect(await redis.get(`session:${second.key}`)).toBe(second.value)
    expect(await redis.get(`session:${first.key}`)).toBe(first.value)
    expect(await redis.ttl(`session:${first.key}`)).toBeLessThanOrEqual(second.stale_ttl)
    expect(await redis.zrange(INDEX, 0, -1, 'WITHSCORES')).toEqual([second.key, String(second.now + second.ttl)])
  })

  it('reads a session OpenResty wrote (plain SET EX and ZADD, no companion), lists and removes it', async () => {
    const now = nowSeconds()
    const key = own(b64key())
    await redis.set(`session:${key}`, '["b3BlbnJlc3R5"]', 'EX', 3600)
    await redis.zadd(INDEX, now + 3600, key)
    await redis.expire(INDEX, 3600)
    const record = await store.read('session', key, now)
    expect(record).toMatchObject({ value: '["b3BlbnJlc3R5"]', version: 0, successor: null })
    expect(record?.expiresAt).toBeGreaterThanOrEqual(now + 3599)
    expect(record?.expiresAt).toBeLessThanOrEqual(now + 3600)
    const ref = { audience: 'cG9ydGFs', subject: 'am9obkBleGFtcGxlLmNvbQ' }
    expect(await store.listIndex('session', ref, now)).toContainEqual({ key, expiresAt: now + 3600 })
    expect(await store.removeIndexed('session', ref, [], now)).toBe(1)
    expect(await redis.exists(`session:${key}`)).toBe(0)
  })

  it("sees OpenResty's in-place rewrite (save_info) of a record Tessera wrote as a new version", async () => {
    const now = nowSeconds()
    const key = own(b64key())
    await store.write({ name: 'session', key, value: '["ct"]', ttl: 600, now, createdAt: now, index: [] })
    await redis.set(`session:${key}`, '["ct","aW5mbw"]', 'EX', 300)
    const record = await store.read('session', key, now)
    expect(record).toMatchObject({ value: '["ct","aW5mbw"]', version: 2 })
    expect(record?.expiresAt).toBeLessThanOrEqual(now + 300)
    const stale = { name: 'session', key, value: '["ct","x"]', version: 1, now }
    expect(await store.update(stale)).toBe('conflict')
    expect(await store.update({ ...stale, version: 2 })).toBe('ok')
    expect(await store.read('session', key, now)).toMatchObject({ value: '["ct","x"]', version: 3 })
  })
  it('keeps a subject index alive as long as its longest-lived session, never shorter', async () => {
    const now = nowSeconds()
    const ref = { audience: 'cG9ydGFs', subject: 'dHRsQGV4YW1wbGUuY29t' }
    const index = 'session:cG9ydGFs:dHRsQGV4YW1wbGUuY29t'
    touched.add(index)
    const write = (ttl: number) =>
      store.write({ name: 'session', key: own(b64key()), value: '["ct"]', ttl, now, createdAt: now, index: [ref] })
    await write(600)
    expect(await redis.ttl(index)).toBeGreaterThan(590)
    await write(60)
    expect(await redis.ttl(index)).toBeGreaterThan(590)
    await write(3600)
    expect(await redis.ttl(index)).toBeGreaterThan(3590)
  })

  it('prunes entries dead at now on the writes whose key starts with a pruning character (1 in 8)', async () => {
    const now = nowSeconds()
    const ref = { audience: 'cG9ydGFs', subject: 'cHJ1bmVAZXhhbXBsZS5jb20' }
    const index = 'session:cG9ydGFs:cHJ1bmVAZXhhbXBsZS5jb20'
    touched.add(index)
    const write = (key: string, at: number) =>
      store.write({ name: 'session', key: own(key), value: '["ct"]', ttl: 60, now: at, createdAt: at, index: [ref] })
    await write(`A${b64key().slice(1)}`, now - 600) // dead by now
    await write(`B${b64key().slice(1)}`, now) // 'B' (66): no prune
    expect(await redis.zcard(index)).toBe(2)
    await write(`H${b64key().slice(1)}`, now) // 'H' (72): prunes
    expect(await redis.zcard(index)).toBe(2)
    expect(await store.listIndex('session', ref, now)).toHaveLength(2)
  })

  it("keeps marks as long as asked from the caller's now, whatever Redis's clock says", async () => {
    const now = nowSeconds() - 86_400 // an app server a day behind Redis
    const key = b64key()
    const ref = { audience: 'cG9ydGFs', subject: 'Y2xvY2tAZXhhbXBsZS5jb20' }
    touched.add(`session:~deny:${key}`).add('session:~nbf:cG9ydGFs:Y2xvY2tAZXhhbXBsZS5jb20')
    await store.deny('session', key, now + 60, now)
    await store.setNotBefore('session', ref, now, now + 60)
    expect(await redis.ttl(`session:~deny:${key}`)).toBeGreaterThan(55)
    expect(await store.isDenied('session', key, now)).toBe(true)
    expect(await store.getNotBefore('session', [ref], now)).toBe(now)
  })
})
