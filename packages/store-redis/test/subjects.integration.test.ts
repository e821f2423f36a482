// Log out everywhere over sessions lua-resty-session wrote: the records and index entries are made
// with the reference's own commands (redis/common.lua SET: a pipeline of SET EX, then per audience
// ZREMRANGEBYSCORE, ZADD, EXPIRE on `[prefix:]<name>:<audience>:<subject>`).
import { randomBytes } from 'node:crypto'
import { createSessionEngine, type SessionOptions } from '@tessera/core'
import { fakeClock, requestWith, runRight } from '@tessera/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createRedisStore, type RedisStore } from '../src/index.js'
import { describeIf, REDIS_URL, randomPrefix, reachable } from './support/gate.js'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
const b64 = (s: string) => Buffer.from(s).toString('base64url')
const newKey = () => randomBytes(32).toString('base64url')

describeIf('log out everywhere over the reference’s Redis sessions', await reachable(REDIS_URL), REDIS_URL, () => {
  let redis: Redis
  let store: RedisStore
  let prefix: string
  const now = Math.floor(Date.now() / 1000)

  beforeAll(() => {
    redis = new Redis(REDIS_URL)
    prefix = randomPrefix()
    store = createRedisStore({ url: REDIS_URL, prefix })
  })
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`)
    if (keys.length > 0) await redis.del(...keys)
    await Promise.all([store.close(), redis.quit()])
  })

  /** What the reference's storage:set does for a fresh save with metadata (no old key). */
  const referenceSave = async (name: string, audiences: string[], subjects: string[], ttl = 3600) => {
    const key = newKey()
    const p = redis.pipeline()
    p.set(`${prefix}:${name}:${key}`, JSON.stringify([randomBytes(40).toString('base64url')]), 'EX', ttl)
    for (const [i, audience] of audiences.entries()) {
      const meta = `${prefix}:${name}:${audience}:${subjects[i]}`
      p.zremrangebyscore(meta, 0, now - 1)
      p.zadd(meta, now + ttl, key)
      p.expire(meta, ttl)
    }
    await p.exec()
    return key
  }
  const exists = async (name: string, key: string) => (await redis.exists(`${prefix}:${name}:${key}`)) === 1
  const engine = (options: Partial<SessionOptions> = {}) =>
    createSessionEngine(
      { secret: SECRET, storeMetadata: true, audience: 'portal', ...options },
      { store, clock: fakeClock(now) },
    )

  it('lists and ends every session of a subject, under each audience the reference wrote', async () => {
    const subject = `ann-${newKey()}@example.com`
    const portal = await referenceSave('session', [b64('portal')], [b64(subject)])
    const admin = await referenceSave('session', [b64('admin-gui')], [b64(subject)], 600)
    const other = await referenceSave('session', [b64('portal')], [b64(`not-${subject}`)])
    const e = engine()
    const listed = await runRight(e.listSessions({ subject }))
    expect(listed.map((s) => s.key)).toEqual([admin, portal])
    expect(await runRight(e.invalidateSubject({ subject }))).toBe(2)
    expect([await exists('session', portal), await exists('session', admin), await exists('session', other)]).toEqual([
      false,
      false,
      true,
    ])
  })

  it('lists the reference’s sessions (times unknown) whatever the idle timeout, and a touch does not invent a time', async () => {
    const subject = `eve-${newKey()}`
    const theirs = await referenceSave('session', [b64('portal')], [b64(subject)])
    await store.touch('session', theirs, now + 10)
    expect((await store.read('session', theirs, now + 10))?.updatedAt).toBe(0)
    const later = createSessionEngine(
      { secret: SECRET, storeMetadata: true, audience: 'portal', idlingTimeout: 60 },
      { store, clock: fakeClock(now + 900) },
    )
    const listed = await runRight(later.listSessions({ subject }))
    expect(listed.map((x) => [x.key, x.lastActiveAt])).toEqual([[theirs, undefined]])
  })

  it('counts the reference’s sessions against maxSessionsPerSubject, evicting the oldest', async () => {
    const subject = `bob-${newKey()}`
    const older = await referenceSave('session', [b64('admin-gui')], [b64(subject)], 600)
    const newer = await referenceSave('session', [b64('portal')], [b64(subject)])
    const e = engine({ maxSessionsPerSubject: 2 })
    const s = await runRight(e.start(requestWith()))
    s.setSubject(subject)
    s.set('user', subject)
    await runRight(e.save(s))
    expect(await exists('session', older)).toBe(false)
    expect(await exists('session', newer)).toBe(true)
    expect((await runRight(e.listSessions({ subject }))).map((x) => x.key).sort()).toEqual([newer, s.id].sort())
  })

  it('reads and ends a cookie with several audiences, indexed by its raw subject, remember record too', async () => {
    const subject = `carol-${newKey()}@example.com`
    const audiences = [b64('portal'), b64('admin-gui')]
    // The reference writes the subjects of a multi-audience cookie into its keys raw.
    const session = await referenceSave('session', audiences, [subject, subject])
    const remember = await referenceSave('remember', audiences, [subject, subject], 86400)
    expect(await redis.zscore(`${prefix}:session:${b64('portal')}:${subject}`, session)).toBe(String(now + 3600))
    const e = engine({ remember: true })
    expect((await runRight(e.listSessions({ subject, audience: 'admin-gui' }))).map((x) => x.key)).toEqual([session])
    expect((await runRight(e.listSessions({ subject }))).map((x) => x.key)).toEqual([session])
    expect(await runRight(e.invalidateSubject({ subject, audience: 'portal' }))).toBe(1)
    expect([await exists('session', session), await exists('remember', remember)]).toEqual([false, false])
  })

  it('indexes an empty subject where the reference does (`<name>:<aud>:`), and finds the reference’s there', async () => {
    const theirs = await referenceSave('session', [b64('portal')], [''])
    const e = engine()
    const s = await runRight(e.start(requestWith()))
    s.setSubject('')
    s.set('user', 'nobody')
    await runRight(e.save(s))
    expect(await redis.zscore(`${prefix}:session:${b64('portal')}:`, s.id as string)).not.toBeNull()
    expect((await runRight(e.listSessions({ subject: '', audience: 'portal' }))).map((x) => x.key).sort()).toEqual(
      [theirs, s.id].sort(),
    )
  })
})
