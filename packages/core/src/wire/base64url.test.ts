import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { charValue, decode, decodeInto, encode, encodedLength } from './base64url.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** Characters Node's own decoder skips or maps (`+`, `/`, padding, space) and ones outside ASCII. */
const FOREIGN = ['=', '+', '/', '.', ' ', '\n', 'é', '\u0000', '\u00ff', '\u0100']
const text = (chars: string[], maxLength = 24) =>
  fc.array(fc.constantFrom(...chars), { maxLength }).map((cs) => cs.join(''))

describe('encode and decode', () => {
  it('round-trip any bytes, at the length encodedLength gives', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = encode(bytes)
        expect(encoded).toHaveLength(encodedLength(bytes.length))
        expect(decode(encoded)).toEqual(Buffer.from(bytes))
      }),
    )
  })

  it('encode reads only the bytes of a view, not the rest of its buffer', () => {
    const whole = Uint8Array.of(0xff, 1, 2, 3, 0xff)
    expect(encode(whole.subarray(1, 4))).toBe('AQID')
  })

  it('decode accepts exactly the canonical texts: those that encode back to themselves', () => {
    fc.assert(
      fc.property(text([...ALPHABET, ...FOREIGN]), (t) => {
        const canonical = encode(Buffer.from(t, 'base64url')) === t
        expect(decode(t) !== undefined, JSON.stringify(t)).toBe(canonical)
      }),
      { numRuns: 1000 },
    )
  })

  it.each([
    ['one character too many for a byte', 'AAAAA'],
    ['a lone character', 'A'],
    ['standard base64 characters', 'A+AA'],
    ['a slash', 'A/AA'],
    ['padding', 'AA=='],
    ['a space inside', 'AA AA'],
    ['non-zero spare bits after one byte', 'AB'],
    ['non-zero spare bits after two bytes', 'AAB'],
  ])('decode refuses %s', (_, t) => {
    expect(decode(t)).toBeUndefined()
  })

  it('decode takes the empty text and zero spare bits', () => {
    expect(decode('')).toEqual(Buffer.alloc(0))
    expect(decode('AA')).toEqual(Buffer.of(0))
    expect(decode('AAE')).toEqual(Buffer.of(0, 1))
    expect(decode('_-8')).toEqual(Buffer.of(0xff, 0xef))
  })
})

describe('charValue', () => {
  it('is the index in the base64url alphabet, and -1 for anything else', () => {
    for (const [i, c] of [...ALPHABET].entries()) expect(charValue(c.charCodeAt(0))).toBe(i)
    for (const c of FOREIGN) expect(charValue(c.charCodeAt(0))).toBe(-1)
    expect(charValue(Number.NaN)).toBe(-1)
  })
})

describe('decodeInto', () => {
  it('writes what decode gives for the first groups, whatever follows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.uint8Array({ maxLength: 40 }),
        text([...FOREIGN]),
        (n, b, tail) => {
          const bytes = Buffer.concat([Buffer.from(b), Buffer.alloc(3 * n)])
          const out = new Uint8Array(3 * n).fill(0xaa)
          expect(decodeInto(encode(bytes) + tail, out)).toBe(true)
          expect(Buffer.from(out)).toEqual(bytes.subarray(0, 3 * n))
        },
      ),
    )
  })

  it('takes a text exactly as long as its groups, and refuses one character less', () => {
    const out = new Uint8Array(6)
    expect(decodeInto('AQIDBAUG', out)).toBe(true)
    expect([...out]).toEqual([1, 2, 3, 4, 5, 6])
    expect(decodeInto('AQIDBAU', new Uint8Array(6))).toBe(false)
    expect(decodeInto('', new Uint8Array(3))).toBe(false)
  })

  it('refuses a character outside the alphabet at any position of any group', () => {
    fc.assert(
      fc.property(fc.nat(7), fc.constantFrom(...FOREIGN), (at, c) => {
        const t = `${'QUJD'.repeat(2).slice(0, at)}${c}${'QUJD'.repeat(2).slice(at + 1)}`
        expect(decodeInto(t, new Uint8Array(6))).toBe(false)
      }),
    )
  })
})
