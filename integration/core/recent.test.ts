/** The recentCookies option in server storage (cookie storage: packages/core/src/recent.test.ts). */
import * as crypto from 'node:crypto'
import { createSessionEngine, type SessionOptions } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { cookieJar, fakeClock, requestWith, runRight } from '@tessera/test-kit'
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
})
