import * as crypto from 'node:crypto'
import { cookieJar, fakeClock, requestWith, runRight } from '@tessera/test-kit'
import { describe, expect, it, vi } from 'vitest'
import { createSessionEngine, type SessionOptions } from '../index.js'
import { FLAG_BIND_IP, FLAG_BIND_SCHEME, FLAG_BIND_USER_AGENT, FLAG_STORAGE } from '../wire/header.js'
import { createRecentCookies, type Offered } from './recent.js'

// Counts decryptions: node:crypto itself, only watched.
vi.mock('node:crypto', async (actual) => {
  const real = await actual<typeof import('node:crypto')>()
  return { ...real, createDecipheriv: vi.fn(real.createDecipheriv) }
})

const cookie = (mac: string, rest = '') => `${'h'.repeat(88)}${mac.padEnd(22, 'm')}${rest}`
const offer = (value: string, plaintext: string, more: Partial<Offered> = {}): Offered => ({
  kind: 'session',
  value,
  flags: 0,
  primary: true,
  whole: true,
  plaintext,
  ...more,
})

describe('the recent-cookie table', () => {
  it('finds a value only when the whole value matches, not just its MAC characters', () => {
    const recent = createRecentCookies(true, 4)
    recent.keep(offer(cookie('A', 'payload'), '[1]'), 0)
    expect(recent.find('session', cookie('A', 'payload'), 0)?.plaintext).toBe('[1]')
    expect(recent.find('session', cookie('A', 'payloaX'), 0)).toBeUndefined()
    expect(recent.find('session', cookie('B', 'payload'), 0)).toBeUndefined()
    expect(recent.find('session', undefined, 0)).toBeUndefined()
  })

  it('forgets the oldest entry first once full', () => {
    const recent = createRecentCookies(true, 2)
    for (const mac of ['A', 'B', 'C']) recent.keep(offer(cookie(mac), mac), 0)
    expect(recent.find('session', cookie('A'), 0)).toBeUndefined()
    expect(recent.find('session', cookie('B'), 0)?.plaintext).toBe('B')
    expect(recent.find('session', cookie('C'), 0)?.plaintext).toBe('C')
  })

  it('keeps an entry at most maxAge seconds', () => {
    const recent = createRecentCookies(true, 4, 120)
    recent.keep(offer(cookie('A'), 'secret'), 1000)
    expect(recent.find('session', cookie('A'), 1120)?.plaintext).toBe('secret')
    expect(recent.find('session', cookie('A'), 1121)).toBeUndefined()
    expect(recent.find('session', cookie('A'), 1000)).toBeUndefined()
  })

  it('drops an entry when forgotten, and can keep the same value again afterwards', () => {
    const recent = createRecentCookies(true, 4)
    recent.keep(offer(cookie('A'), 'secret'), 0)
    recent.forget(cookie('A'))
    expect(recent.find('session', cookie('A'), 0)).toBeUndefined()
    recent.keep(offer(cookie('A'), 'again'), 0)
    expect(recent.find('session', cookie('A'), 0)?.plaintext).toBe('again')
  })

  it('keeps only single-chunk session cookies under the primary secret, without client binding', () => {
    const recent = createRecentCookies(true, 16)
    const refused: [string, Partial<Offered>][] = [
      ['R', { kind: 'remember' }],
      ['F', { primary: false }],
      ['C', { whole: false }],
      ['I', { flags: FLAG_BIND_IP }],
      ['S', { flags: FLAG_BIND_SCHEME }],
      ['U', { flags: FLAG_BIND_USER_AGENT }],
    ]
    for (const [mac, more] of refused) recent.keep(offer(cookie(mac), mac, more), 0)
    for (const [mac] of refused) expect(recent.find('session', cookie(mac), 0)).toBeUndefined()
    recent.keep(offer(cookie('K'), 'kept', { flags: FLAG_STORAGE }), 0)
    expect(recent.find('session', cookie('K'), 0)?.plaintext).toBe('kept')
    // A remember cookie is never looked up, even with the bytes of a kept session cookie.
    expect(recent.find('remember', cookie('K'), 0)).toBeUndefined()
  })

  it('in server storage, uses a kept header only while its record holds the same ciphertext, not a successor', () => {
    const recent = createRecentCookies(true, 4)
    recent.keep(offer(cookie('A'), '[1]', { flags: FLAG_STORAGE, ct: 'ct-1' }), 0)
    const seen = recent.find('session', cookie('A'), 0)
    expect(seen).toBeDefined()
    if (seen === undefined) return
    expect(recent.holds(seen, 'ct-1', false)).toBe(true)
    expect(recent.holds(seen, 'ct-2', false)).toBe(false)
    expect(recent.holds(seen, 'ct-1', true)).toBe(false)
  })

  it('keeps nothing when turned off', () => {
    const recent = createRecentCookies(false)
    recent.keep(offer(cookie('A'), 'secret'), 0)
    expect(recent.find('session', cookie('A'), 0)).toBeUndefined()
    expect(recent.holds({ plaintext: 'secret', ct: 'ct' }, 'ct', false)).toBe(false)
  })
})

describe('the recentCookies option', () => {
  const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
  const decryptions = vi.mocked(crypto.createDecipheriv)

  /** Logs in, then opens the cookie just issued twice: how many decryptions the two opens took. */
  const reopenings = async (options: Partial<SessionOptions>) => {
    const clock = fakeClock(1_700_000_000)
    const engine = createSessionEngine({ secret: SECRET, ...options }, { clock })
    const browser = cookieJar()
    const s = await runRight(engine.start(requestWith(browser.lines)))
    s.set('user', 'alice')
    browser.apply((await runRight(engine.save(s))).setCookie)
    decryptions.mockClear()
    for (let i = 0; i < 2; i++)
      expect((await runRight(engine.open(requestWith(browser.lines)))).get('user')).toBe('alice')
    return decryptions.mock.calls.length
  }

  // In server storage: integration/core/recent.test.ts.
  it('by default, a cookie just issued reopens without decrypting', async () => {
    expect(await reopenings({})).toBe(0)
  })

  it('set to false, every open authenticates and decrypts', async () => {
    expect(await reopenings({ recentCookies: false })).toBe(2)
  })

  it('a cookie another engine issued is kept when it first opens: the next open does not decrypt', async () => {
    const clock = fakeClock(1_700_000_000)
    const issuer = createSessionEngine({ secret: SECRET }, { clock })
    const s = await runRight(issuer.start(requestWith([])))
    s.set('user', 'alice')
    const browser = cookieJar()
    browser.apply((await runRight(issuer.save(s))).setCookie)
    const reader = createSessionEngine({ secret: SECRET }, { clock })
    decryptions.mockClear()
    for (let i = 0; i < 3; i++)
      expect((await runRight(reader.open(requestWith(browser.lines)))).get('user')).toBe('alice')
    expect(decryptions.mock.calls.length).toBe(1)
  })

  it('a session that ends takes both its cookies out of the table: the one it came with and its own', async () => {
    const engine = createSessionEngine({ secret: SECRET }, { clock: fakeClock(1_700_000_000) })
    const browser = cookieJar()
    const s = await runRight(engine.start(requestWith(browser.lines)))
    s.set('user', 'alice')
    browser.apply((await runRight(engine.save(s))).setCookie)
    const came = browser.lines
    // Opened from the first cookie, saved under a second one, then destroyed.
    const opened = await runRight(engine.open(requestWith(came)))
    opened.set('user', 'bob')
    const own = cookieJar()
    own.apply((await runRight(engine.save(opened))).setCookie)
    await runRight(engine.destroy(opened))
    for (const lines of [came, own.lines]) {
      decryptions.mockClear()
      // Cookie storage without a store cannot revoke: the cookie still opens, but through the cryptography.
      await runRight(engine.open(requestWith(lines)))
      expect(decryptions.mock.calls.length).toBe(1)
    }
  })
})
