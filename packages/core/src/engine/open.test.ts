import {
  cookieJar,
  cookieValueIn,
  fakeClock,
  requestWith,
  runLeft,
  runRight,
  scriptedRandom,
  signedInBrowser,
  withHeaderBytes,
} from '@tessera/test-kit'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createSessionEngine, type SessionOptions, type SessionStore } from '../index.js'
import { touchHeader } from '../wire/codec.js'
import { readHeader } from '../wire/header.js'
import { ikmFromSecret, keyMaterial } from '../wire/keys.js'
import { parseRecordValue } from './record.js'

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

describe('parseRecordValue', () => {
  const info = (json: string) => Buffer.from(json).toString('base64url')
  it('reads [ct] and [ct, info]', () => {
    expect(parseRecordValue('["abc"]')).toEqual(E.right({ ct: 'abc', info: undefined }))
    expect(parseRecordValue('["abc", 5]')).toEqual(E.right({ ct: 'abc', info: undefined }))
    const parsed = parseRecordValue(JSON.stringify(['abc', info('{"portal":{"a":1},"junk":3,"nil":null}')]))
    expect(parsed).toEqual(E.right({ ct: 'abc', info: new Map([['portal', { a: 1 }]]) }))
  })
  it.each([
    ['not JSON', 'nope', 'malformed record'],
    ['an object', '{"0":"abc"}', 'malformed record'],
    ['an empty array', '[]', 'malformed record'],
    ['a ciphertext that is not a string', '[5]', 'malformed record'],
    ['info that is not base64url', '["abc","*"]', 'malformed info'],
    ['info that is an array', JSON.stringify(['abc', info('[1]')]), 'malformed info'],
    ['info that is null', JSON.stringify(['abc', info('null')]), 'malformed info'],
    ['info that is a number', JSON.stringify(['abc', info('7')]), 'malformed info'],
    ['info that is not JSON', JSON.stringify(['abc', info('{')]), 'malformed record'],
  ])('refuses %s', (_, value, detail) => {
    expect(parseRecordValue(value)).toEqual(E.left({ _tag: 'InvalidCookie', reason: 'record', detail }))
  })
})

describe('timeouts on open', () => {
  it('a cookie older than the rolling offset can hold is expired, even with every timeout off', async () => {
    const ctx = setup({ idlingTimeout: 0, rollingTimeout: 0, absoluteTimeout: 0 })
    await ctx.login()
    ctx.clock.set(T0 + 2 ** 32 - 1)
    expect((await runRight(ctx.open())).get('user')).toBe('alice')
    ctx.clock.set(T0 + 2 ** 32)
    expect(await runLeft(ctx.open())).toMatchObject({ _tag: 'Expired', timeout: 'absolute' })
  })

  it('a remember cookie lives by the remember timeouts, not the session ones', async () => {
    const ctx = setup({
      remember: true,
      idlingTimeout: 60,
      rollingTimeout: 120,
      absoluteTimeout: 300,
      rememberRollingTimeout: 1000,
      rememberAbsoluteTimeout: 2000,
    })
    await ctx.login()
    const remember = [`remember=${ctx.browser.value('remember')}`]
    ctx.clock.advance(1000)
    expect((await runRight(ctx.open(remember))).get('user')).toBe('alice')
    ctx.clock.advance(1)
    expect(await runLeft(ctx.open(remember))).toMatchObject({ _tag: 'Expired', timeout: 'rolling' })
  })

  it('of several session values, one that fails after its MAC held does not stop the next', async () => {
    const ctx = setup()
    await ctx.login()
    const genuine = ctx.browser.value('session') as string
    // The MAC covers the header only: a changed ciphertext passes it and fails AES-GCM (no PBKDF2 here).
    const at = 115
    const tampered = genuine.slice(0, at) + (genuine[at] === 'A' ? 'B' : 'A') + genuine.slice(at + 1)
    expect(await runLeft(ctx.open([`session=${tampered}`]))).toMatchObject({ _tag: 'InvalidCookie', reason: 'decrypt' })
    expect((await runRight(ctx.open([`session=${tampered}`, `session=${genuine}`]))).get('user')).toBe('alice')
  })

  it('of several remember values, one at most reaches the slow key derivation', async () => {
    const ctx = setup({ remember: true })
    await ctx.login()
    const genuine = ctx.browser.value('remember') as string
    // The MAC covers the header only: a changed ciphertext passes it and fails AES-GCM, after PBKDF2.
    const at = 115
    const tampered = genuine.slice(0, at) + (genuine[at] === 'A' ? 'B' : 'A') + genuine.slice(at + 1)
    expect((await runRight(ctx.open([`remember=${genuine}`]))).get('user')).toBe('alice')
    expect(await runLeft(ctx.open([`remember=${tampered}`, `remember=${genuine}`]))).toMatchObject({
      _tag: 'InvalidCookie',
      reason: 'decrypt',
    })
    // A value refused before its key is derived (a forged MAC) does not stop the next one.
    const forged = withHeaderBytes(genuine, (h) => h.writeUInt32LE(1, 40))
    expect((await runRight(ctx.open([`remember=${forged}`, `remember=${genuine}`]))).get('user')).toBe('alice')
  })

  it('a remember cookie past its absolute timeout is expired', async () => {
    const ctx = setup({ remember: true, rememberRollingTimeout: 0, rememberAbsoluteTimeout: 2000 })
    await ctx.login()
    const remember = [`remember=${ctx.browser.value('remember')}`]
    ctx.clock.advance(2000)
    expect((await runRight(ctx.open(remember))).get('user')).toBe('alice')
    ctx.clock.advance(1)
    expect(await runLeft(ctx.open(remember))).toMatchObject({ _tag: 'Expired', timeout: 'absolute' })
  })
})

describe('the recent-cookie table keeps only what the value alone decides', () => {
  it('a cookie under a fallback secret keeps opening after repeated opens and a touch', async () => {
    const old = setup()
    await old.login()
    const lines = old.browser.lines
    const rotated = createSessionEngine(
      { secret: NEXT, secretFallbacks: [SECRET], touchThreshold: 60 },
      { clock: old.clock, random: scriptedRandom() },
    )
    for (let i = 0; i < 3; i++) expect((await runRight(rotated.open(requestWith(lines)))).get('user')).toBe('alice')
    old.clock.advance(61)
    const touched = await runRight(rotated.start(requestWith(lines)))
    const outcome = rotated.outcome(touched)
    const browser = cookieJar()
    browser.apply(lines)
    browser.apply(outcome.setCookie)
    expect(browser.value('session')).not.toBe(cookieValueIn(lines, 'session'))
    expect((await runRight(rotated.open(requestWith(browser.lines)))).get('user')).toBe('alice')
  })

  it('a remember cookie sent as the session cookie does not open', async () => {
    const ctx = setup({ remember: true })
    await ctx.login()
    const remember = ctx.browser.value('remember') as string
    expect((await runRight(ctx.open([`remember=${remember}`]))).get('user')).toBe('alice')
    expect(await runLeft(ctx.open([`session=${remember}`]))).toMatchObject({ _tag: 'InvalidCookie' })
  })

  it('a bound cookie opened by its client still does not open from another client', async () => {
    const ctx = setup({ bind: ['ip'] })
    const client = { remoteAddress: '203.0.113.7' }
    await ctx.login({ user: 'alice' }, client)
    for (let i = 0; i < 2; i++) expect((await runRight(ctx.open(undefined, client))).get('user')).toBe('alice')
    expect(await runLeft(ctx.open(undefined, { remoteAddress: '203.0.113.8' }))).toMatchObject({ reason: 'mac' })
  })

  it('a chunked cookie is checked whole on every open', async () => {
    const ctx = setup({ compressionThreshold: 0 })
    await ctx.login({ big: 'b'.repeat(6000) })
    expect(ctx.browser.lines.length).toBeGreaterThan(1)
    expect((await runRight(ctx.open())).get('big')).toHaveLength(6000)
    const tampered = ctx.browser.lines.map((l) =>
      l.startsWith('session2=') ? `session2=${l.slice(9, 20)}${l[20] === 'A' ? 'B' : 'A'}${l.slice(21)}` : l,
    )
    expect(await runLeft(ctx.open(tampered))).toMatchObject({ _tag: 'InvalidCookie' })
  })
})

describe('each refusal says exactly why', () => {
  const refused = async (options: Partial<SessionOptions>, cookies: string[]) => runLeft(setup(options).open(cookies))
  const issued = async (options: Partial<SessionOptions> = {}, data: Record<string, unknown> = { user: 'alice' }) => {
    const ctx = setup(options)
    await ctx.login(data)
    return ctx.browser.value('session') as string
  }

  it('a value shorter than a header', async () => {
    expect(await refused({}, ['session=AAAA'])).toEqual({
      _tag: 'InvalidCookie',
      reason: 'header',
      detail: 'too short',
    })
  })
  it('a header that is not canonical base64url', async () => {
    const value = await issued()
    const header = `${value.slice(0, 109)}B` // the last character's spare bits set
    expect(await refused({}, [`session=${header}${value.slice(110)}`])).toEqual({
      _tag: 'InvalidCookie',
      reason: 'header',
      detail: 'not base64url',
    })
  })
  it('unknown flags, or no binding where the options bind', async () => {
    const value = await issued()
    const flagged = withHeaderBytes(value, (h) => h.writeUInt16LE(0x0800, 1))
    expect(await refused({}, [`session=${flagged}`])).toEqual({
      _tag: 'InvalidCookie',
      reason: 'flags',
      detail: 'unknown flag bits',
    })
    expect(await refused({ bind: ['ip'] }, [`session=${value}`])).toEqual({
      _tag: 'InvalidCookie',
      reason: 'flags',
      detail: 'not bound as the options say',
    })
  })
  it('a remember cookie that carries an idling offset', async () => {
    const ctx = setup({ remember: true })
    await ctx.login()
    const value = ctx.browser.value('remember') as string
    // Re-MACed under the secret, as only a holder of the secret could: the offset itself is refused.
    const header = readHeader(Buffer.from(value.slice(0, 110), 'base64url'))
    const touched = touchHeader(header, 5, keyMaterial(ikmFromSecret(SECRET)), {}).toString('base64url')
    expect(await runLeft(ctx.open([`remember=${touched}${value.slice(110)}`]))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'header',
      detail: 'remember cookie with idling offset',
    })
  })
  it('a creation time in the future', async () => {
    const value = await issued()
    const ctx = setup()
    ctx.clock.set(T0 - 61)
    expect(await runLeft(ctx.open([`session=${value}`]))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'future',
      detail: 'creation time is in the future',
    })
  })
  it('a missing chunk, and a cookie larger than a browser sends', async () => {
    const ctx = setup({ compressionThreshold: 0 })
    await ctx.login({ big: 'b'.repeat(6000) })
    expect(await runLeft(ctx.open(ctx.browser.lines.slice(0, 1)))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'chunk',
      detail: 'payload chunks missing or mismatched',
    })
    expect(await runLeft(ctx.open([`session=${'A'.repeat(4096)}`]))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'size',
      detail: 'larger than a browser sends',
    })
    const [first] = ctx.browser.lines
    expect(await runLeft(ctx.open([first as string, `session9=${'A'.repeat(4090)}`]))).toMatchObject({ reason: 'size' })
  })
})

describe('what opening hands on', () => {
  it('a cookie-storage cookie opens with nothing to send back', async () => {
    const ctx = setup()
    await ctx.login()
    const fresh = createSessionEngine({ secret: SECRET }, { clock: ctx.clock })
    expect(fresh.outcome(await runRight(fresh.open(requestWith(ctx.browser.lines)))).setCookie).toEqual([])
  })

  it('a cookie issued by another process opens again and again in this one', async () => {
    const ctx = setup()
    await ctx.login()
    const fresh = createSessionEngine({ secret: SECRET }, { clock: ctx.clock })
    for (let i = 0; i < 3; i++) {
      expect((await runRight(fresh.open(requestWith(ctx.browser.lines)))).get('user')).toBe('alice')
    }
  })
})
