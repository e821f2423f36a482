/** The recentCookies option in server storage (cookie storage: packages/core/src/engine/recent.test.ts). */
import * as crypto from 'node:crypto'
import { createSessionEngine, type SessionOptions, type SessionStore } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { cookieJar, fakeClock, requestWith, runLeft, runRight } from '@tessera/test-kit'
import { describe, expect, it, vi } from 'vitest'

// Counts decryptions: node:crypto itself, only watched.
vi.mock('node:crypto', async (actual) => {
  const real = await actual<typeof import('node:crypto')>()
  return { ...real, createDecipheriv: vi.fn(real.createDecipheriv) }
})

describe('the recentCookies option', () => {
  const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
  const decryptions = vi.mocked(crypto.createDecipheriv)

  /** Logs in on a memory store, then opens the cookie just issued twice: how many decryptions the two opens took. */
  const reopenings = async (options: Partial<SessionOptions>) => {
    const clock = fakeClock(1_700_000_000)
    const store = createMemoryStore()
    const engine = createSessionEngine({ secret: SECRET, storage: 'server', ...options }, { clock, store })
    const browser = cookieJar()
    const s = await runRight(engine.start(requestWith(browser.lines)))
    s.set('user', 'alice')
    browser.apply((await runRight(engine.save(s))).setCookie)
    decryptions.mockClear()
    for (let i = 0; i < 2; i++)
      expect((await runRight(engine.open(requestWith(browser.lines)))).get('user')).toBe('alice')
    store.close()
    return decryptions.mock.calls.length
  }

  it('by default, a cookie just issued reopens without decrypting, in server storage', async () => {
    expect(await reopenings({})).toBe(0)
  })

  it('set to false, every open authenticates and decrypts, in server storage', async () => {
    expect(await reopenings({ recentCookies: false })).toBe(2)
  })

  it('a session that ends takes the header it was saved under out of the table, not only the one it came with', async () => {
    const clock = fakeClock(1_700_000_000)
    const store = createMemoryStore()
    // The store fails to delete: the records stay, so only the table decides whether the next open decrypts.
    const stuck: SessionStore = { ...store, remove: () => Promise.reject(new Error('ECONNREFUSED')) }
    const engine = createSessionEngine({ secret: SECRET, storage: 'server' }, { clock, store: stuck })
    const browser = cookieJar()
    const s = await runRight(engine.start(requestWith(browser.lines)))
    s.set('user', 'alice')
    browser.apply((await runRight(engine.save(s))).setCookie)
    const came = browser.lines
    // Opened from the first cookie, saved under a second one (kept in the table as it was issued), then destroyed.
    const opened = await runRight(engine.open(requestWith(came)))
    opened.set('user', 'bob')
    const own = cookieJar()
    own.apply((await runRight(engine.save(opened))).setCookie)
    expect(own.value('session')).not.toBe(browser.value('session'))
    expect(await runLeft(engine.destroy(opened))).toMatchObject({ _tag: 'StoreUnavailable' })
    decryptions.mockClear()
    expect((await runRight(engine.open(requestWith(own.lines)))).get('user')).toBe('bob')
    expect(decryptions.mock.calls.length).toBe(1)
    store.close()
  })
})
