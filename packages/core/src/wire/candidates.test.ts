import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cookieValueOf, MAX_CANDIDATES, parseCookieHeader, RequestCookies } from './cookies.js'

describe('parseCookieHeader at the HTTP edge', () => {
  it('keeps the first of duplicate names (the most specific path comes first, RFC 6265 §5.4)', () => {
    const cookies = parseCookieHeader('session=specific; other=1; session=general')
    expect(cookies.get('session')).toBe('specific')
    expect(cookies.size).toBe(2)
  })

  it('keeps the later values of a repeated name too, a few at most', () => {
    const cookies = parseCookieHeader('session=a; other=1; session=b; session="c"; session=d; session=e')
    expect(cookies.all('session')).toEqual(['a', 'b', 'c', 'd'].slice(0, MAX_CANDIDATES))
    expect(cookies.all('other')).toEqual(['1'])
    expect(cookies.all('missing')).toEqual([])
  })

  it('joins a header sent as several lines, still first wins', () => {
    expect(parseCookieHeader(['a=1', 'a=2; b=3']).get('a')).toBe('1')
  })

  it('treats __proto__ and constructor as plain names', () => {
    const cookies = parseCookieHeader('__proto__=x; constructor=y; session=z')
    expect(cookies.get('__proto__')).toBe('x')
    expect(cookies.get('constructor')).toBe('y')
    expect(cookies).toBeInstanceOf(Map)
    expect(Object.getPrototypeOf(cookies)).toBe(RequestCookies.prototype)
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })

  it('cuts an oversized header at the last whole cookie before 64 KiB', () => {
    const filler = Array.from({ length: 700 }, (_, i) => `c${i}=${'v'.repeat(100)}`).join('; ')
    const cookies = parseCookieHeader(`session=first; ${filler}; late=tail`)
    expect(cookies.get('session')).toBe('first')
    expect(cookies.has('late')).toBe(false)
    for (const value of cookies.values()) expect(value === 'first' || value.length === 100).toBe(true)
  })

  it('skips parts without a name or without "=" and unquotes values', () => {
    const cookies = parseCookieHeader('=nameless; flag; q="quoted"; ok=1')
    expect([...cookies.entries()]).toEqual([
      ['q', 'quoted'],
      ['ok', '1'],
    ])
  })

  it('gives an empty map for no header', () => {
    expect(parseCookieHeader(undefined).size).toBe(0)
  })

  it('reads a header of exactly 64 KiB whole, and cuts one character more before its last cookie', () => {
    const tail = '; late=tail'
    const filler = (length: number) => `a=${'v'.repeat(length - 2)}`
    const exact = filler(64 * 1024 - tail.length) + tail
    expect(exact.length).toBe(64 * 1024)
    expect(parseCookieHeader(exact).get('late')).toBe('tail')
    expect(cookieValueOf(exact, 'late')).toBe('tail')
    const over = filler(64 * 1024 + 1 - tail.length) + tail
    expect(parseCookieHeader(over).has('late')).toBe(false)
    expect(parseCookieHeader(over).get('a')).toBe('v'.repeat(over.length - tail.length - 2))
    expect(cookieValueOf(over, 'late')).toBeUndefined()
  })

  it('unquotes an empty quoted value to the empty string, and leaves a lone quote', () => {
    const cookies = parseCookieHeader('e=""; q="; v="x"')
    expect([...cookies.entries()]).toEqual([
      ['e', ''],
      ['q', '"'],
      ['v', 'x'],
    ])
  })

  it('keeps exactly MAX_CANDIDATES values of a name sent many times, the first ones', () => {
    const header = Array.from({ length: 10 }, (_, i) => `session=v${i}`).join('; ')
    expect(parseCookieHeader(header).all('session')).toEqual(['v0', 'v1', 'v2', 'v3'])
    expect(MAX_CANDIDATES).toBe(4)
  })
})

describe('blanks around a cookie name', () => {
  // What String.prototype.trim removes (WhiteSpace and LineTerminator): the parser trims names with it.
  const blanks = ['\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2028', '\u3000', '\ufeff']
  // Control characters and Latin-1 characters that trim keeps, on both sides of the ranges it removes.
  const others = ['\u0000', '\u0008', '\u000e', '\u001f', '!', '\u0085', '\u009f', '\u00a1', '\u00ff', '\u2030']

  it('a blank before or after the name is skipped, by the lookup as by the parser', () => {
    for (const c of blanks) {
      for (const header of [`${c}session=v`, `a=1;${c}session${c}=v`, `${c}${c}session${c}=v; b=2`]) {
        expect(parseCookieHeader(header).get('session')).toBe('v')
        expect(cookieValueOf(header, 'session')).toBe('v')
      }
    }
  })

  it('any other character there makes it another name, for the lookup as for the parser', () => {
    for (const c of others) {
      for (const header of [`${c}session=v`, `a=1;${c}session=v`, `session${c}=v`, `a=1; session${c}=v`]) {
        expect(parseCookieHeader(header).get('session')).toBeUndefined()
        expect(cookieValueOf(header, 'session')).toBeUndefined()
      }
      expect(cookieValueOf(`${c}session=v; session=w`, 'session')).toBe('w')
    }
  })
})

describe('cookieValueOf', () => {
  it('finds what parseCookieHeader finds, for any header and name', () => {
    const piece = fc.constantFrom('session', 'session2', 'xsession', 'sess', '=', ';', ' ', '"', 'a', '\t', '__proto__')
    const text = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''))
    const name = fc.constantFrom('session', 'session2', 'sess', '__proto__', 'a')
    fc.assert(
      fc.property(fc.oneof(text, fc.string()), name, (header, n) => {
        expect(cookieValueOf(header, n)).toBe(parseCookieHeader(header).get(n))
      }),
      { numRuns: 2000 },
    )
  })

  it('reads a header sent as several lines like parseCookieHeader', () => {
    expect(cookieValueOf(['a=1', 'session=2'], 'session')).toBe('2')
    expect(cookieValueOf(undefined, 'session')).toBeUndefined()
  })
})

/** The parser as first written (split, then trim each part): the model the one-pass parser must match. */
const modelParse = (header: string): Map<string, string> => {
  const cookies = new Map<string, string>()
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const name = part.slice(0, eq).trim()
    if (name === '' || cookies.has(name)) continue
    let value = part.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    cookies.set(name, value)
  }
  return cookies
}

/** Every value of one name in the model, first ones first, as many as are kept. */
const modelAll = (header: string, name: string): string[] =>
  header
    .split(';')
    .filter((part) => part.indexOf('=') > 0 && part.slice(0, part.indexOf('=')).trim() === name)
    .map((part) => {
      const value = part.slice(part.indexOf('=') + 1).trim()
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
    })
    .slice(0, MAX_CANDIDATES)

describe('parseCookieHeader against its model', () => {
  it('gives the same cookies for any header', () => {
    const piece = fc.constantFrom('a', 'b', 'session', '=', ';', ' ', '"', '\t', '\u00a0', 'x=1')
    const text = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''))
    fc.assert(
      fc.property(fc.oneof(text, fc.string()), (header) => {
        const cookies = parseCookieHeader(header)
        expect([...cookies]).toEqual([...modelParse(header)])
        for (const name of cookies.keys()) expect(cookies.all(name)).toEqual(modelAll(header, name))
      }),
      { numRuns: 3000 },
    )
  })
})
