/**
 * Hostile data, cookies and configuration through the public API: each case
 * is an attacker's (or a careless caller's) move that must end in a typed
 * value, never an exception, a silently disabled timeout or a weak default.
 */
import { everyCallSettles, fakeClock, requestWith, runLeft, runRight, scriptedRandom } from '@tessera/test-kit'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { syncSeamOf } from './engine/seam.js'
import { createSessionEngine, decodeOptions, type SessionEngine, type SessionOptions } from './index.js'
import { seal, touchHeader } from './wire/codec.js'
import { ikmFromSecret, keyMaterial } from './wire/keys.js'

const SECRET = 'Zq7Kt2vLx9Pw4Rb8Nm3Hs6Jd1Fg5Yc0Ea'
const OTHER = 'Wf4Gz8Qe1Tn6Vk3Xa9Lr2Mp7Uh5Dj0CsIo'
const T0 = 1_700_000_000

const setup = (options: Partial<SessionOptions> = {}, now = T0) => {
  const clock = fakeClock(now)
  const engine = createSessionEngine({ secret: SECRET, ...options }, { clock, random: scriptedRandom() })
  return { engine, clock }
}

const cookieValue = (line: string) => {
  const pair = line.split(';')[0] ?? ''
  return pair.slice(pair.indexOf('=') + 1)
}

/** A cookie any holder of the secret could make, with whatever times and flags it likes. */
const craft = (
  fields: { creation?: number; rolling?: number; idling?: number; flags?: number; data?: unknown } = {},
  secret = SECRET,
) => {
  const km = keyMaterial(ikmFromSecret(secret))
  const sealed = seal({
    flags: fields.flags ?? 0,
    sid: Buffer.alloc(32, 9),
    creation: fields.creation ?? T0,
    rolling: fields.rolling ?? 0,
    plaintext: JSON.stringify([[fields.data ?? { user: 'alice' }, 'default', 'alice']]),
    compressionThreshold: 0,
    km,
    binding: {},
  })
  if ('_tag' in sealed) throw new Error('too large')
  const header =
    fields.idling === undefined
      ? sealed.headerText
      : touchHeader(
          {
            bytes: sealed.header,
            flags: sealed.flags,
            sid: sealed.header.subarray(3, 35),
            creation: 0,
            rolling: 0,
            size: 0,
            tag: sealed.header.subarray(47, 63),
            idling: 0,
            mac: sealed.header.subarray(66, 82),
          },
          fields.idling,
          km,
          {},
        ).toString('base64url')
  return `session=${header}${sealed.payload}`
}

const login = async (engine: SessionEngine, data: Record<string, unknown> = { user: 'alice' }) => {
  const s = await runRight(engine.start(requestWith()))
  for (const [k, v] of Object.entries(data)) s.set(k, v)
  s.setSubject('alice')
  return (await runRight(engine.save(s))).setCookie
}

describe('session data that JSON cannot carry resolves to a typed Left', () => {
  const deep = () => {
    let v: Record<string, unknown> = {}
    for (let i = 0; i < 100_000; i++) v = { v }
    return v
  }
  const circular = () => {
    const a: Record<string, unknown> = { name: 'a' }
    a.self = a
    return a
  }
  const cases: [string, () => unknown][] = [
    ['a BigInt', () => 10n],
    ['a circular reference', circular],
    [
      'a toJSON that throws',
      () => ({
        toJSON() {
          throw new Error('no')
        },
      }),
    ],
    ['nesting 100,000 deep', deep],
  ]
  // Server storage: integration/core/adversarial.test.ts.
  for (const [what, value] of cases) {
    it(`${what} (cookie storage)`, async () => {
      const e = setup().engine
      const s = await runRight(e.start(requestWith()))
      s.set('x', value())
      const saved = await e.save(s)()
      expect(E.isLeft(saved) && saved.left).toMatchObject({ _tag: 'UnsavableData' })
      expect(syncSeamOf(e).save(s)).toMatchObject({ _tag: 'Left' })
    })
  }

  // The same property on a server-storage engine: integration/core/adversarial.test.ts.
  it('every engine call resolves to an Either, whatever the data and the request', async () => {
    const engine = setup({ bind: ['ip'], responseHeaders: ['subject', 'audience', 'id'] }).engine
    const real = await login(engine)
    await everyCallSettles(engine, [...real, craft({ rolling: 2 ** 32 - 1 })], {
      numRuns: 150,
      atOnce: (req) => [syncSeamOf(engine).start(req), syncSeamOf(engine).keepAlive(req)],
    })
  })
})

describe('offsets that point past now are refused beyond clockSkew', () => {
  const refused = [
    ['a rolling offset of 2^32 - 1', { rolling: 2 ** 32 - 1 }],
    ['a rolling offset of 2^32 - 100 (a -100 s skew, wrapped)', { rolling: 2 ** 32 - 100 }],
    ['an idling offset of 2^24 - 1', { idling: 2 ** 24 - 1 }],
    ['a rolling offset an hour past now', { creation: T0 - 60, rolling: 3660 }],
    ['an idling offset an hour past now', { creation: T0 - 60, rolling: 30, idling: 3630 }],
  ] as const
  for (const [what, fields] of refused) {
    it(`${what} does not open`, async () => {
      const { engine } = setup()
      expect(await runLeft(engine.open(requestWith([craft(fields)])))).toMatchObject({
        _tag: 'InvalidCookie',
        reason: 'future',
      })
    })
    it(`${what} is cleared by a request that never reads its session`, async () => {
      const { engine } = setup()
      const outcome = await runRight(engine.keepAlive(requestWith([craft(fields)])))
      expect(outcome.setCookie.join('\n')).toMatch(/^session=; .*Max-Age=0/)
    })
  }

  it('offsets within clockSkew still open, and are written clamped', async () => {
    const { engine, clock } = setup({ clockSkew: 60 })
    const s = await runRight(engine.open(requestWith([craft({ creation: T0 + 30, idling: 0 })])))
    expect(s.get('user')).toBe('alice')
    expect(await runRight(engine.open(requestWith([craft({ creation: T0 - 100, rolling: 130 })])))).toBeDefined()
    s.set('user', 'bob')
    const saved = await runRight(engine.save(s))
    const header = Buffer.from(cookieValue(saved.setCookie[0] ?? '').slice(0, 110), 'base64url')
    expect(header.readUInt32LE(40)).toBe(0)
    clock.advance(1)
    expect((await runRight(engine.open(requestWith(saved.setCookie)))).get('user')).toBe('bob')
  })
})

describe('sizes no browser sends', () => {
  it('a single authentic session cookie of 5,000 bytes is refused', async () => {
    const line = ofSizeExactly(5000)
    expect(line.length).toBeGreaterThan(4096)
    const { engine } = setup()
    expect(await runLeft(engine.open(requestWith([line])))).toMatchObject({ _tag: 'InvalidCookie', reason: 'size' })
    const kept = await runRight(engine.keepAlive(requestWith([line])))
    expect(kept.setCookie.join('\n')).toMatch(/^session=; /)
  })

  it('the size is judged before any cryptography: a forged oversize cookie is refused for its size', async () => {
    const { engine } = setup()
    const forged = `session=${'A'.repeat(6000)}`
    expect(await runLeft(engine.open(requestWith([forged])))).toMatchObject({ reason: 'size' })
  })

  it('a chunk beyond 4096 bytes is refused, and a cookie of exactly 4096 bytes opens', async () => {
    const { engine } = setup()
    const big = (await login(engine, { pad: Array.from({ length: 4000 }, (_, i) => i).join('') })).map(
      (l) => l.split(';')[0] ?? '',
    )
    expect(big.length).toBeGreaterThan(1)
    const padded = big.map((l, i) => (i === 1 ? `${l}${'A'.repeat(4097 - l.length)}` : l))
    expect(await runLeft(engine.open(requestWith(padded)))).toMatchObject({ reason: 'size' })
    const line = ofSizeExactly(4096)
    expect(line.length).toBe(4096)
    expect((await runRight(engine.open(requestWith([line])))).get('user')).toBe('alice')
  })
})

/** Searches the padding that makes a crafted cookie exactly `bytes` long. */
const ofSizeExactly = (bytes: number): string => {
  for (let n = Math.floor((bytes * 3) / 4) - 200; n < bytes; n++) {
    const line = craft({ data: { user: 'alice', pad: 'p'.repeat(n) } })
    if (line.length === bytes) return line
  }
  throw new Error(`no cookie of ${bytes} bytes`)
}

describe('bind is the options, not the cookie', () => {
  it('a cookie issued before bind was turned on is refused', async () => {
    const before = await login(setup().engine)
    const { engine } = setup({ bind: ['ip', 'user-agent'] })
    const req = requestWith(before, { remoteAddress: '203.0.113.9', headers: { 'user-agent': 'curl' } })
    expect(await runLeft(engine.open(req))).toMatchObject({ _tag: 'InvalidCookie', reason: 'flags' })
    const kept = await runRight(engine.keepAlive(req))
    expect(kept.setCookie.join('\n')).toMatch(/^session=; /)
  })

  it('a cookie bound to fewer values than the options name is refused', async () => {
    const ipOnly = await login(setup({ bind: ['ip'] }).engine)
    const { engine } = setup({ bind: ['ip', 'scheme'] })
    const req = requestWith(ipOnly, { remoteAddress: '203.0.113.9', scheme: 'https' })
    expect(await runLeft(engine.open(req))).toMatchObject({ _tag: 'InvalidCookie', reason: 'flags' })
  })

  it('a cookie bound as configured still opens from the same client', async () => {
    const { engine } = setup({ bind: ['ip'] })
    const s = await runRight(engine.start(requestWith([], { remoteAddress: '203.0.113.9' })))
    s.set('user', 'alice')
    const lines = (await runRight(engine.save(s))).setCookie
    expect((await runRight(engine.open(requestWith(lines, { remoteAddress: '203.0.113.9' })))).get('user')).toBe(
      'alice',
    )
  })
})

describe('a cookie under a fallback secret is re-issued under the primary when it opens', () => {
  const rotated = () => setup({ secret: OTHER, secretFallbacks: [SECRET] })

  it('start: the response carries the new cookie', async () => {
    const old = await login(setup().engine)
    const { engine } = rotated()
    const s = await runRight(engine.start(requestWith(old)))
    expect(s.get('user')).toBe('alice')
    const lines = engine.outcome(s).setCookie
    expect(lines).toHaveLength(1)
    const onlyNew = setup({ secret: OTHER }).engine
    expect((await runRight(onlyNew.open(requestWith(lines)))).get('user')).toBe('alice')
  })

  it('keepAlive: a request that never reads its session re-issues it too', async () => {
    const old = await login(setup().engine)
    const { engine } = rotated()
    const lines = (await runRight(engine.keepAlive(requestWith(old)))).setCookie
    const onlyNew = setup({ secret: OTHER }).engine
    expect((await runRight(onlyNew.open(requestWith(lines)))).get('user')).toBe('alice')
  })
})

describe('duplicate session cookies (one tossed in from a sibling subdomain)', () => {
  it('the one that verifies is used, wherever it stands', async () => {
    const { engine } = setup()
    const real = (await login(engine))[0] ?? ''
    const junk = `session=${craft({}, OTHER).slice('session='.length)}`
    for (const order of [
      [junk, real],
      [real, junk],
      ['session=garbage', 'session=', real],
    ]) {
      expect((await runRight(engine.open(requestWith(order)))).get('user')).toBe('alice')
      const started = await runRight(engine.start(requestWith(order)))
      expect(engine.outcome(started).setCookie).toEqual([])
      expect((await runRight(engine.keepAlive(requestWith(order)))).setCookie).toEqual([])
    }
  })

  it('only a few candidates are tried', async () => {
    const { engine } = setup()
    const real = (await login(engine))[0] ?? ''
    const many = [...Array.from({ length: 8 }, (_, i) => `session=junk${i}`), real]
    expect(await runLeft(engine.open(requestWith(many)))).toMatchObject({ _tag: 'InvalidCookie' })
  })

  it('when none verifies, the cookie is cleared as before', async () => {
    const { engine } = setup()
    const started = await runRight(engine.start(requestWith(['session=junk', 'session=more-junk'])))
    expect(engine.outcome(started).setCookie.join('\n')).toMatch(/^session=; /)
  })
})
describe('weak secrets are refused unless allowWeakSecret', () => {
  const weak: [string, Partial<SessionOptions>][] = [
    ['one character repeated', { secret: 'a'.repeat(32) }],
    ['two characters alternating', { secret: 'ab'.repeat(20) }],
    ['bytes with few distinct values', { secret: new Uint8Array(32).fill(7) }],
    ['a placeholder from our own tests', { secret: 'a strong secret of at least thirty-two bytes' }],
    ['a placeholder asking to be changed', { secret: 'change-me-to-a-long-random-secret-please' }],
    ['a placeholder in capitals', { secret: 'REPLACE_WITH_YOUR_OWN_SECRET_VALUE_0123' }],
    ['a fallback equal to the primary', { secret: SECRET, secretFallbacks: [SECRET] }],
    ['a weak fallback', { secret: SECRET, secretFallbacks: ['x'.repeat(40)] }],
  ]
  for (const [what, options] of weak) {
    it(`refuses ${what}, saying how to make a good one`, () => {
      const decoded = decodeOptions(options)
      expect(E.isLeft(decoded)).toBe(true)
      if (E.isLeft(decoded)) expect(decoded.left.problems.join('\n')).toMatch(/openssl rand -base64 32/)
      expect(E.isRight(decodeOptions({ ...options, allowWeakSecret: true }))).toBe(true)
    })
  }

  it('accepts random secrets, as text or bytes', () => {
    expect(E.isRight(decodeOptions({ secret: SECRET, secretFallbacks: [OTHER] }))).toBe(true)
    expect(
      E.isRight(decodeOptions({ secret: Buffer.from('8d1f0c6e2a9b47d3b5e08f1c2d4a6b7e', 'hex').toString('hex') })),
    ).toBe(true)
    expect(E.isRight(decodeOptions({ ikm: new Uint8Array(32).map((_, i) => (i * 37 + 11) & 255) }))).toBe(true)
  })
})
describe('secure by default', () => {
  const attributes = (options: Partial<SessionOptions>) => {
    const decoded = decodeOptions({ secret: SECRET, ...options })
    return E.isRight(decoded) ? decoded.right.cookie.attributes : decoded.left.problems.join('\n')
  }

  it('Set-Cookie has Secure unless secure: false is explicit', async () => {
    expect(attributes({})).toContain('; Secure')
    expect(attributes({ cookie: { secure: false } })).not.toContain('Secure')
    expect((await login(setup().engine))[0]).toContain('; Secure')
  })

  const refused: [string, SessionOptions['cookie'], SessionOptions['rememberCookieName']?][] = [
    ['__Host- in the name with a Domain', { name: '__Host-session', domain: 'example.com' }],
    ['__Host- in the name with a Path other than /', { name: '__Host-session', path: '/app' }],
    ['__Host- in the name without Secure', { name: '__Host-session', secure: false }],
    ['__Secure- in the name without Secure', { name: '__Secure-s', secure: false }],
    ['a lower-case __host- prefix with a Domain', { name: '__host-session', domain: 'example.com' }],
    ['a mixed-case __SECURE- prefix without Secure', { name: '__SECURE-s', secure: false }],
    ['__Host- in the remember cookie name with a Domain', { domain: 'example.com' }, '__Host-remember'],
  ]
  for (const [what, cookie, rememberCookieName] of refused) {
    it(`refuses ${what}`, () => {
      const options: SessionOptions = {
        secret: SECRET,
        ...(cookie ? { cookie } : {}),
        ...(rememberCookieName ? { rememberCookieName } : {}),
      }
      const decoded = decodeOptions(options)
      expect(E.isLeft(decoded)).toBe(true)
      expect(() => createSessionEngine(options)).toThrow(/__Host-|__Secure-/)
    })
  }

  it('a prefix in the name gets the attributes its rules need', () => {
    expect(attributes({ cookie: { name: '__Host-session' } })).toBe('; Path=/; SameSite=Lax; Secure; HttpOnly')
    expect(attributes({ cookie: { name: '__Secure-s', domain: 'example.com' } })).toContain('; Secure')
  })
})
