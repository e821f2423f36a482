/**
 * Opening with a store: core's open path (\`packages/core/src/engine/open.ts\`) on the
 * memory store, for server storage and for cookie storage with revocation.
 */
import { createSessionEngine, type SessionOptions, type SessionStore } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import {
  cookieValueIn,
  fakeClock,
  requestWith,
  runLeft,
  runRight,
  scriptedRandom,
  signedInBrowser,
  withHeaderBytes,
} from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
const NEXT = 'Pu3Ea8Wn1Zq6Kx4Rc9Lv2Tb7Hs5Gm0Jd'
const T0 = 1_700_000_000

const setup = (options: Partial<SessionOptions> = {}, store?: SessionStore) => {
  const clock = fakeClock(T0)
  const engine = createSessionEngine(
    { secret: SECRET, ...options },
    store === undefined ? { clock, random: scriptedRandom() } : { clock, random: scriptedRandom(), store },
  )
  return { clock, engine, ...signedInBrowser(engine) }
}

describe('server storage: the header is authenticated before the record is trusted', () => {
  it('a header with forged times but a live session id is refused by its MAC', async () => {
    const ctx = setup({ storage: 'server' }, createMemoryStore())
    await ctx.login()
    const value = ctx.browser.value('session') as string
    expect(value).toHaveLength(110)
    // Reopen once, as a browser would, so the value is among the recent ones.
    expect((await runRight(ctx.open())).get('user')).toBe('alice')
    ctx.clock.advance(4000) // past the rolling timeout
    expect(await runLeft(ctx.open())).toMatchObject({ _tag: 'Expired', timeout: 'rolling' })
    // The attacker moves the rotation time forward to revive the session.
    const forged = withHeaderBytes(value, (h) => h.writeUInt32LE(4000, 40))
    expect(await runLeft(ctx.open([`session=${forged}`]))).toEqual({ _tag: 'InvalidCookie', reason: 'mac' })
  })

  it('a forged header is refused even on the first open', async () => {
    const ctx = setup({ storage: 'server' }, createMemoryStore())
    await ctx.login()
    const forged = withHeaderBytes(ctx.browser.value('session') as string, (h) => h.writeUIntLE(5, 63, 3))
    expect(await runLeft(ctx.open([`session=${forged}`]))).toEqual({ _tag: 'InvalidCookie', reason: 'mac' })
  })

  it('a cookie-storage header is refused before anything is read', async () => {
    const cookieMode = setup()
    await cookieMode.login()
    const server = setup({ storage: 'server' }, createMemoryStore())
    expect(await runLeft(server.open(cookieMode.browser.lines))).toMatchObject({ reason: 'flags' })
  })

  it('an authentic header whose record is gone is refused', async () => {
    const store = createMemoryStore()
    const ctx = setup({ storage: 'server' }, store)
    const s = await ctx.login()
    await runRight(ctx.engine.destroy(await runRight(ctx.open())))
    expect(s.id).toBeDefined()
    expect(await runLeft(ctx.open())).toMatchObject({ _tag: 'InvalidCookie', reason: 'record' })
  })

  it('a rotated-away cookie within staleTtl is served its successor, through at most 64 rotations', async () => {
    const ctx = setup({ storage: 'server', staleTtl: 60 }, createMemoryStore())
    await ctx.login({ n: 0 })
    const first = ctx.browser.lines
    for (let n = 1; n <= 64; n++) {
      const s = await runRight(ctx.open())
      s.set('n', n)
      ctx.browser.apply((await runRight(ctx.engine.save(s))).setCookie)
    }
    expect((await runRight(ctx.open(first))).get('n')).toBe(64)
    const s = await runRight(ctx.open())
    s.set('n', 65)
    ctx.browser.apply((await runRight(ctx.engine.save(s))).setCookie)
    expect(await runLeft(ctx.open(first))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'record',
      detail: 'too many rotations',
    })
    expect((await runRight(ctx.open())).get('n')).toBe(65)
  })

  it('a successor link that does not authenticate is refused', async () => {
    const store = createMemoryStore()
    // A store whose rotation links have been tampered with: each names a forged header.
    const forging: SessionStore = {
      ...store,
      read: async (name, key, now) => {
        const record = await store.read(name, key, now)
        if (record?.successor == null) return record
        return { ...record, successor: withHeaderBytes(record.successor, (h) => h.writeUInt32LE(1, 40)) }
      },
    }
    const ctx = setup({ storage: 'server', staleTtl: 60 }, forging)
    await ctx.login({ n: 0 })
    const first = ctx.browser.lines
    const s = await runRight(ctx.open())
    s.set('n', 1)
    ctx.browser.apply((await runRight(ctx.engine.save(s))).setCookie)
    expect((await runRight(ctx.open())).get('n')).toBe(1)
    expect(await runLeft(ctx.open(first))).toEqual({ _tag: 'InvalidCookie', reason: 'mac' })
  })
})

describe('cookie storage with a revocation store', () => {
  it('a logged-out cookie is refused; the others of the subject still open', async () => {
    const store = createMemoryStore()
    const ctx = setup({ storage: 'cookie' }, store)
    await ctx.login()
    // Another session of the same subject, created a second later (one created in the same second shares the chain).
    const other = setup({ storage: 'cookie' }, store)
    other.clock.set(T0 + 1)
    await other.login()
    const kept = ctx.browser.lines
    await runRight(ctx.engine.logout(await runRight(ctx.open())))
    expect(await runLeft(ctx.open(kept))).toEqual({ _tag: 'Revoked', reason: 'logout' })
    expect((await runRight(other.open())).get('user')).toBe('alice')
  })

  it('invalidating a subject refuses what was issued before, not what is issued in the same second after', async () => {
    const store = createMemoryStore()
    const ctx = setup({ storage: 'cookie' }, store)
    await ctx.login()
    const before = ctx.browser.lines
    ctx.clock.advance(10)
    expect(await runRight(ctx.engine.invalidateSubject({ subject: 'alice' }))).toBeGreaterThanOrEqual(0)
    expect(await runLeft(ctx.open(before))).toEqual({ _tag: 'Revoked', reason: 'invalidated' })
    const after = setup({ storage: 'cookie' }, store)
    after.clock.set(T0 + 10)
    await after.login()
    expect((await runRight(after.open())).get('user')).toBe('alice')
  })

  it('a cookie refused before its marks are read is refused as such', async () => {
    const ctx = setup({ storage: 'cookie', remember: true }, createMemoryStore())
    await ctx.login()
    expect(await runLeft(ctx.open(['session=AAAA']))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'header',
      detail: 'too short',
    })
    expect(await runLeft(ctx.open([]))).toEqual({ _tag: 'MissingCookie' })
    const remember = ctx.browser.value('remember') as string
    const forged = withHeaderBytes(remember, (h) => h.writeUInt32LE(1, 40))
    expect(await runLeft(ctx.open([`remember=${forged}`]))).toEqual({ _tag: 'InvalidCookie', reason: 'mac' })
  })

  it('a store that is down refuses the cookie, unless revocation fails open', async () => {
    const store = createMemoryStore()
    const ctx = setup({ storage: 'cookie' }, store)
    await ctx.login()
    const down = { ...store, isDenied: () => Promise.reject(new Error('ECONNREFUSED')) } as SessionStore
    const closed = createSessionEngine({ secret: SECRET, storage: 'cookie' }, { clock: ctx.clock, store: down })
    expect(await runLeft(closed.open(requestWith(ctx.browser.lines)))).toMatchObject({ _tag: 'StoreUnavailable' })
    const open = createSessionEngine(
      { secret: SECRET, storage: 'cookie', revocationFailMode: 'open' },
      { clock: ctx.clock, store: down },
    )
    expect((await runRight(open.open(requestWith(ctx.browser.lines)))).get('user')).toBe('alice')
  })
})

describe('each refusal says exactly why', () => {
  it('a cookie of the other storage mode', async () => {
    const cookieMode = setup()
    await cookieMode.login()
    const server = setup({ storage: 'server' }, createMemoryStore())
    expect(await runLeft(server.open(cookieMode.browser.lines))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'flags',
      detail: 'storage mode mismatch',
    })
  })
  it('a server cookie whose record is gone', async () => {
    const store = createMemoryStore()
    const ctx = setup({ storage: 'server' }, store)
    await ctx.login()
    const lines = ctx.browser.lines
    await runRight(ctx.engine.destroy(await runRight(ctx.open())))
    expect(await runLeft(ctx.open(lines))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'record',
      detail: 'no such session',
    })
  })
})

describe('server storage: a name sent twice', () => {
  it('opens the value that verifies, whichever comes first', async () => {
    const store = createMemoryStore()
    const ctx = setup({ storage: 'server' }, store)
    await ctx.login()
    const ours = ctx.browser.value('session') as string
    const sibling = setup({ storage: 'server', secret: NEXT }, createMemoryStore())
    await sibling.login({ user: 'mallory' })
    const theirs = sibling.browser.value('session') as string
    for (const order of [
      [theirs, ours],
      [ours, theirs],
    ]) {
      const opened = await runRight(ctx.open(order.map((v) => `session=${v}`)))
      expect(opened.get('user')).toBe('alice')
    }
    expect(await runLeft(ctx.open([`session=${theirs}`, 'session=junk']))).toMatchObject({ reason: 'mac' })
  })

  it('stops at a store that fails: the next value is not tried', async () => {
    const store = createMemoryStore()
    const ctx = setup({ storage: 'server' }, store)
    await ctx.login()
    const ours = ctx.browser.value('session') as string
    let reads = 0
    const down: SessionStore = {
      ...store,
      read: () => {
        reads++
        return Promise.reject(new Error('ECONNREFUSED'))
      },
    }
    const engine = createSessionEngine({ secret: SECRET, storage: 'server' }, { clock: ctx.clock, store: down })
    const left = await runLeft(engine.open(requestWith([`session=${ours}`, `session=${ours}`])))
    expect(left).toMatchObject({ _tag: 'StoreUnavailable' })
    expect(reads).toBe(1)
  })
})

describe('what opening hands on', () => {
  it('a record value that is not the reference shape is refused', async () => {
    const store = createMemoryStore()
    const broken: SessionStore = {
      ...store,
      read: async (name, key, now) => {
        const record = await store.read(name, key, now)
        return record === null ? null : { ...record, value: '{"not":"an array"}' }
      },
    }
    const ctx = setup({ storage: 'server' }, broken)
    await ctx.login()
    expect(await runLeft(ctx.open())).toEqual({ _tag: 'InvalidCookie', reason: 'record', detail: 'malformed record' })
  })

  it('a rotated-away cookie is answered with the live one; a live one with nothing', async () => {
    const ctx = setup({ storage: 'server', staleTtl: 60 }, createMemoryStore())
    await ctx.login({ n: 0 })
    const first = ctx.browser.lines
    const s = await runRight(ctx.open())
    s.set('n', 1)
    ctx.browser.apply((await runRight(ctx.engine.save(s))).setCookie)
    const live = ctx.browser.value('session') as string
    const followed = await runRight(ctx.open(first))
    expect(followed.get('n')).toBe(1)
    expect(ctx.engine.outcome(followed).setCookie.map((l) => cookieValueIn([l], 'session'))).toEqual([live])
    expect(ctx.engine.outcome(await runRight(ctx.open())).setCookie).toEqual([])
  })

  it("revocation reads the subject of the engine's own audience, not of the cookie's first one", async () => {
    const store = createMemoryStore()
    const portal = setup({ storage: 'cookie', audience: 'portal' }, store)
    await portal.login()
    const admin = createSessionEngine(
      { secret: SECRET, storage: 'cookie', audience: 'admin' },
      { clock: portal.clock, random: scriptedRandom(), store },
    )
    const s = await runRight(admin.start(requestWith(portal.browser.lines)))
    s.set('role', 'root')
    s.setSubject('bob')
    portal.browser.apply((await runRight(admin.save(s))).setCookie)
    portal.clock.advance(10)
    await runRight(admin.invalidateSubject({ subject: 'bob', audience: 'admin' }))
    expect(await runLeft(admin.open(requestWith(portal.browser.lines)))).toEqual({
      _tag: 'Revoked',
      reason: 'invalidated',
    })
    const other = createSessionEngine(
      { secret: SECRET, storage: 'cookie', audience: 'elsewhere' },
      { clock: portal.clock, store },
    )
    expect(await runLeft(other.open(requestWith(portal.browser.lines)))).toMatchObject({ _tag: 'MissingAudience' })
  })
})
