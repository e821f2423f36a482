import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { ConfigError, createSessionEngine, decodeOptions } from '../index.js'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'

const problems = (input: unknown): readonly string[] => {
  const r = decodeOptions(input)
  return E.isLeft(r) ? r.left.problems : []
}

describe('decodeOptions', () => {
  it('fills in the reference defaults', () => {
    const r = decodeOptions({ secret: SECRET })
    if (E.isLeft(r)) throw r.left
    expect(r.right).toMatchObject({
      audience: 'default',
      idlingTimeout: 900,
      rollingTimeout: 3600,
      absoluteTimeout: 86400,
      staleTtl: 10,
      touchThreshold: 60,
      compressionThreshold: 1024,
      remember: false,
      rememberSafety: 'Medium',
      rememberRollingTimeout: 604800,
      rememberAbsoluteTimeout: 2592000,
      clockSkew: 60,
      recentCookies: true,
      cookie: { name: 'session', rememberName: 'remember', attributes: '; Path=/; SameSite=Lax; Secure; HttpOnly' },
      logout: { methods: ['POST', 'DELETE'], queryArg: 'session_logout', postArg: 'session_logout', readBody: false },
    })
  })

  it('turns the recent-cookie table off only when asked, with a boolean', () => {
    const off = decodeOptions({ secret: SECRET, recentCookies: false })
    expect(E.isRight(off) && off.right.recentCookies).toBe(false)
    expect(problems({ secret: SECRET, recentCookies: 'no' })).toEqual(['recentCookies: expected boolean, got "no"'])
  })

  it('lists every problem at once, not just the first', () => {
    const found = problems({
      secret: 'short',
      idlingTimeout: -1,
      rollingTimeout: -1.5,
      cookie: { sameSite: 'Sometimes' },
      bind: ['ip', 'phase of the moon'],
      audience: 'a;b',
    })
    expect(found.length).toBeGreaterThanOrEqual(6)
    expect(found.join('\n')).toMatch(/secret: 5 bytes is too short/)
    expect(found.join('\n')).toMatch(/audience: must not contain/)
    expect(found.join('\n')).toMatch(/idlingTimeout/)
    expect(found.join('\n')).toMatch(/rollingTimeout/)
    expect(found.join('\n')).toMatch(/sameSite/)
    expect(found.join('\n')).toMatch(/bind/)
  })

  it('refuses a secret shorter than 32 bytes unless allowWeakSecret', () => {
    expect(problems({ secret: 'RaJKp8UQW1' })).toEqual([expect.stringMatching(/too short.*allowWeakSecret/)])
    expect(problems({ secret: 'RaJKp8UQW1', allowWeakSecret: true })).toEqual([])
    expect(problems({ secret: SECRET, secretFallbacks: ['short'] })).toEqual([
      expect.stringMatching(/secretFallbacks\.0/),
    ])
  })

  it('needs a secret or an ikm of exactly 32 bytes, not both', () => {
    expect(problems({})).toEqual([expect.stringMatching(/secret: required/)])
    expect(problems({ ikm: 'x'.repeat(31) })).toEqual([expect.stringMatching(/exactly 32 bytes/)])
    const ikm = Buffer.from('5f0c9a3e7b2d41e68c9f03a7d5b1e2c48a6f9d0b3c7e1a52f4d8b6c0e9a3f7d1', 'hex')
    expect(problems({ ikm })).toEqual([])
    expect(problems({ ikm: 'x'.repeat(32) })).toEqual([expect.stringMatching(/ikm: only 1 distinct byte/)])
    expect(problems({ ikm, secret: SECRET })).toEqual([expect.stringMatching(/not both/)])
  })

  describe('cookie attribute rules (RFC 6265bis)', () => {
    it('__Host- forces Secure and Path=/ and forbids Domain', () => {
      const r = decodeOptions({ secret: SECRET, cookie: { prefix: '__Host-' } })
      if (E.isLeft(r)) throw r.left
      expect(r.right.cookie.name).toBe('__Host-session')
      expect(r.right.cookie.attributes).toBe('; Path=/; SameSite=Lax; Secure; HttpOnly')
      expect(problems({ secret: SECRET, cookie: { prefix: '__Host-', domain: 'example.com' } })).toEqual([
        expect.stringMatching(/forbids Domain/),
      ])
      expect(problems({ secret: SECRET, cookie: { prefix: '__Host-', path: '/app' } })).toEqual([
        expect.stringMatching(/Path=\//),
      ])
      expect(problems({ secret: SECRET, cookie: { prefix: '__Host-', secure: false } })).toEqual([
        expect.stringMatching(/requires Secure/),
      ])
    })
    it('SameSite=None and Partitioned need Secure', () => {
      expect(problems({ secret: SECRET, cookie: { sameSite: 'None', secure: false } })).toEqual([
        expect.stringMatching(/SameSite=None/),
      ])
      expect(problems({ secret: SECRET, cookie: { partitioned: true, secure: false } })).toEqual([
        expect.stringMatching(/Partitioned/),
      ])
      // Secure is the default, so neither needs it spelled out.
      expect(problems({ secret: SECRET, cookie: { sameSite: 'None', partitioned: true } })).toEqual([])
      expect(problems({ secret: SECRET, cookie: { sameSite: 'None', partitioned: true, secure: true } })).toEqual([])
    })
    it('refuses CR, LF and ; in names and attributes', () => {
      expect(problems({ secret: SECRET, cookie: { name: 'a;b' } })).toEqual([expect.stringMatching(/cookie\.name/)])
      expect(problems({ secret: SECRET, cookie: { path: '/\r\nSet-Cookie: x=y' } })).toEqual([
        expect.stringMatching(/cookie\.path/),
      ])
      expect(problems({ secret: SECRET, cookie: { domain: 'a.com; Secure' } })).toEqual([
        expect.stringMatching(/cookie\.domain/),
      ])
      expect(problems({ secret: SECRET, rememberCookieName: 're member' })).toEqual([
        expect.stringMatching(/rememberCookieName/),
      ])
    })
    it('writes the attributes in the reference order', () => {
      const r = decodeOptions({
        secret: SECRET,
        cookie: {
          domain: 'example.com',
          path: '/a',
          sameSite: 'Strict',
          priority: 'High',
          partitioned: true,
          secure: true,
        },
      })
      if (E.isLeft(r)) throw r.left
      expect(r.right.cookie.attributes).toBe(
        '; Domain=example.com; Path=/a; SameSite=Strict; Priority=High; Partitioned; Secure; HttpOnly',
      )
    })
  })
})

describe('createSessionEngine', () => {
  it('throws one ConfigError listing the problems', () => {
    expect(() => createSessionEngine({ secret: 'short', idlingTimeout: -5 } as never)).toThrow(ConfigError)
    try {
      createSessionEngine({ secret: 'short', idlingTimeout: -5 } as never)
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(2)
    }
  })
  it('refuses server storage without a store', () => {
    expect(() => createSessionEngine({ secret: SECRET, storage: 'server' })).toThrow(/needs a store/)
  })
})
