/**
 * The store as two ports: cookie storage runs on a store of revocation marks
 * alone (here, the memory store's four mark functions and nothing else), and
 * server storage refuses such a store when the engine is made.
 */
import {
  ConfigError,
  createSessionEngine,
  type RevocationStore,
  type SessionOptions,
  type SessionStore,
} from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { cookieJar, fakeClock, requestWith, runLeft, runRight } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'

const SECRET = 'Ws4Nc8Hq1Zt6Lb3Xe9Kv2Rm7Fp5Jd0Gy'
const T0 = 1_700_000_000

const RECORD_FUNCTIONS = ['read', 'write', 'update', 'touch', 'remove', 'listIndex', 'removeIndexed'] as const

/** The four functions of revocation marks of a real store, and nothing else: what the type asks for. */
const marksOf = (store: SessionStore): RevocationStore => ({
  deny: store.deny,
  isDenied: store.isDenied,
  setNotBefore: store.setNotBefore,
  getNotBefore: store.getNotBefore,
})

/** A cookie-storage engine on `store` and a browser of alice. */
const setup = (store: RevocationStore, options: Partial<SessionOptions> = {}) => {
  const clock = fakeClock(T0)
  const engine = createSessionEngine({ secret: SECRET, storage: 'cookie', ...options }, { store, clock })
  const jar = cookieJar()
  const login = async () => {
    const s = await runRight(engine.start(requestWith(jar.lines)))
    s.setSubject('alice')
    s.set('user', 'alice')
    jar.apply((await runRight(engine.save(s))).setCookie)
    return s
  }
  return { clock, engine, jar, login }
}

describe('cookie storage on a store of revocation marks alone', () => {
  it('opens, saves and rotates with nothing but the four mark functions', async () => {
    const { clock, engine, jar, login } = setup(marksOf(createMemoryStore({ sweepIntervalMs: 0 })), {
      rollingTimeout: 1000,
    })
    await login()
    clock.advance(800)
    const s = await runRight(engine.start(requestWith(jar.lines)))
    expect(s.get('user')).toBe('alice')
    jar.apply(engine.outcome(s).setCookie)
    expect((await runRight(engine.open(requestWith(jar.lines)))).get('user')).toBe('alice')
  })

  it('logout revokes the cookie it ends, and every earlier cookie of the session', async () => {
    const { clock, engine, jar, login } = setup(marksOf(createMemoryStore({ sweepIntervalMs: 0 })))
    await login()
    const first = jar.lines
    clock.advance(5)
    const s = await runRight(engine.start(requestWith(jar.lines)))
    s.set('n', 1)
    jar.apply((await runRight(engine.save(s))).setCookie)
    const saved = jar.lines
    const leaving = await runRight(engine.open(requestWith(saved)))
    await runRight(engine.logout(leaving))
    for (const cookies of [first, saved]) {
      expect(await runLeft(engine.open(requestWith(cookies)))).toEqual({ _tag: 'Revoked', reason: 'logout' })
    }
  })

  it('invalidateSubject revokes every session of the subject, and endSession one by its id', async () => {
    const { clock, engine, jar, login } = setup(marksOf(createMemoryStore({ sweepIntervalMs: 0 })))
    const s = await login()
    clock.advance(10)
    expect(await runRight(engine.invalidateSubject({ subject: 'alice' }))).toBe(0)
    expect(await runLeft(engine.open(requestWith(jar.lines)))).toEqual({ _tag: 'Revoked', reason: 'invalidated' })

    const other = setup(marksOf(createMemoryStore({ sweepIntervalMs: 0 })))
    const t = await other.login()
    await runRight(other.engine.endSession({ id: t.id as string }))
    expect(await runLeft(other.engine.open(requestWith(other.jar.lines)))).toEqual({
      _tag: 'Revoked',
      reason: 'logout',
    })
    expect(s.id).not.toBe(t.id)
  })

  it('has no index to list sessions from: listSessions is a ConfigError', async () => {
    const { engine } = setup(marksOf(createMemoryStore({ sweepIntervalMs: 0 })))
    expect(await runLeft(engine.listSessions({ subject: 'alice' }))).toBeInstanceOf(ConfigError)
  })

  it('given a whole store, never calls one of its record functions', async () => {
    const store = createMemoryStore({ sweepIntervalMs: 0 })
    const called: string[] = []
    const spied: SessionStore = { ...store }
    for (const name of RECORD_FUNCTIONS) {
      Object.assign(spied, {
        [name]: (...args: unknown[]) => {
          called.push(name)
          return (store[name] as (...a: unknown[]) => Promise<unknown>)(...args)
        },
      })
    }
    const { clock, engine, jar, login } = setup(spied, { rollingTimeout: 1000, idlingTimeout: 900 })
    const s = await login()
    clock.advance(200)
    jar.apply((await runRight(engine.keepAlive(requestWith(jar.lines)))).setCookie)
    clock.advance(700)
    const rotated = await runRight(engine.start(requestWith(jar.lines)))
    jar.apply(engine.outcome(rotated).setCookie)
    await runRight(engine.regenerate(await runRight(engine.open(requestWith(jar.lines)))))
    await runRight(engine.invalidateSubject({ subject: 'alice', except: s.id as string }))
    await runRight(engine.endSession({ id: s.id as string }))
    await runLeft(engine.listSessions({ subject: 'alice' }))
    await runRight(engine.destroy(await runRight(engine.start(requestWith(jar.lines)))))
    expect(called).toEqual([])
  })

  it('refuses, when the engine is made, a store that lacks a mark function', () => {
    const { getNotBefore: _, ...partial } = marksOf(createMemoryStore({ sweepIntervalMs: 0 }))
    const made = () =>
      createSessionEngine({ secret: SECRET, storage: 'cookie' }, { store: partial as unknown as RevocationStore })
    expect(made).toThrow(ConfigError)
    expect(made).toThrow(/getNotBefore/)
  })
})

describe('server storage and a store of revocation marks alone', () => {
  const marksOnly = marksOf(createMemoryStore({ sweepIntervalMs: 0 }))

  it.each([
    ['storage: "server"', { storage: 'server' as const }],
    ['the default with a store', {}],
  ])('is refused with a ConfigError when the engine is made (%s)', (_, options) => {
    const made = () => createSessionEngine({ secret: SECRET, ...options }, { store: marksOnly })
    expect(made).toThrow(ConfigError)
    try {
      made()
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        expect.stringMatching(
          /^store: server storage needs a whole SessionStore .*lacks read, write, update, touch, remove, listIndex, removeIndexed\. A store of revocation marks alone serves storage: "cookie"$/,
        ),
      ])
    }
  })

  it('is refused for a store that lacks one record function, naming it', () => {
    const { update: _, ...partial } = createMemoryStore({ sweepIntervalMs: 0 })
    const made = () => createSessionEngine({ secret: SECRET }, { store: partial as unknown as SessionStore })
    expect(made).toThrow(/lacks update$/)
  })
})
