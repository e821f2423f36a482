import { createSessionEngine } from '@tessera/core'
import { cookieJar, fakeClock, requestWith, runLeft, runRight } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'
import { createMemoryStore, RevocationMarksFull } from './index.js'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
const T0 = 1_700_000_000

/** Cookie storage with the memory store holding its revocation marks. */
const setup = (maxMarks: number) => {
  const clock = fakeClock(T0)
  const store = createMemoryStore({ maxEntries: maxMarks, maxMarks, sweepIntervalMs: 0, clock: clock.now })
  const engine = createSessionEngine({ secret: SECRET, storage: 'cookie' }, { store, clock })
  /** Logs a browser in; returns its cookies. */
  const login = async (subject: string) => {
    const s = await runRight(engine.start(requestWith()))
    s.setSubject(subject)
    s.set('user', subject)
    const jar = cookieJar()
    jar.apply((await runRight(engine.save(s))).setCookie)
    return jar.lines
  }
  const logout = async (cookies: readonly string[]) =>
    engine.destroy(await runRight(engine.open(requestWith(cookies))))()
  return { clock, store, engine, login, logout }
}

describe('memory store: revocation marks', () => {
  it('a logged-out cookie stays revoked however many logouts follow (marks are never evicted)', async () => {
    const w = setup(10)
    const stolen = await w.login('victim')
    expect((await w.logout(stolen))._tag).toBe('Right')
    for (let i = 0; i < 30; i++) await w.logout(await w.login(`user-${i}`))
    expect(await runLeft(w.engine.open(requestWith(stolen)))).toEqual({ _tag: 'Revoked', reason: 'logout' })
  })

  it('refuses a new mark with RevocationMarksFull when its bound is reached, and says so to the caller', async () => {
    const w = setup(3)
    for (let i = 0; i < 3; i++) await w.logout(await w.login(`user-${i}`))
    const cookies = await w.login('late')
    const failed = await w.logout(cookies)
    expect(failed).toMatchObject({ _tag: 'Left', left: { _tag: 'StoreUnavailable', operation: 'deny' } })
    const cause = failed._tag === 'Left' && failed.left._tag === 'StoreUnavailable' ? failed.left.cause : undefined
    expect(cause).toBeInstanceOf(RevocationMarksFull)
    expect(w.store.size()).toBe(3)
  })

  it('makes room by dropping marks that have expired, never live ones', async () => {
    const w = setup(2)
    await w.store.deny('session', 'short', T0 + 10, T0)
    await w.store.deny('session', 'long', T0 + 1000, T0)
    await expect(w.store.deny('session', 'third', T0 + 1000, T0)).rejects.toBeInstanceOf(RevocationMarksFull)
    await w.store.deny('session', 'third', T0 + 1000, T0 + 10)
    expect(await w.store.isDenied('session', 'long', T0 + 10)).toBe(true)
    expect(await w.store.isDenied('session', 'third', T0 + 10)).toBe(true)
  })

  it('still moves an existing mark when full: only new marks need room', async () => {
    const w = setup(1)
    await w.store.setNotBefore('session', { audience: 'a', subject: 's' }, T0, T0 + 60)
    await w.store.setNotBefore('session', { audience: 'a', subject: 's' }, T0 + 5, T0 + 600)
    expect(await w.store.getNotBefore('session', [{ audience: 'a', subject: 's' }], T0 + 100)).toBe(T0 + 5)
    await expect(w.store.setNotBefore('session', { audience: 'a', subject: 'x' }, T0, T0 + 60)).rejects.toBeInstanceOf(
      RevocationMarksFull,
    )
  })

  it('keeps records and marks to separate bounds: many sessions never push a mark out', async () => {
    const store = createMemoryStore({ maxEntries: 5, maxMarks: 10, sweepIntervalMs: 0 })
    await store.deny('session', 'revoked', T0 + 60, T0)
    for (let i = 0; i < 20; i++) {
      await store.write({ name: 'session', key: `k${i}`, value: '["x"]', ttl: 60, now: T0, createdAt: T0, index: [] })
    }
    expect(await store.isDenied('session', 'revoked', T0)).toBe(true)
    expect(store.size()).toBe(6)
  })
})
