import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type HmacKey, hmacInto, hmacKey } from './hmac.js'

/** The digest, written at an offset into a larger buffer (the callers' use). */
const hmac = (k: HmacKey, a: Uint8Array, b?: Uint8Array, c?: Uint8Array, d?: Uint8Array): Buffer => {
  const out = Buffer.alloc(48, 0xee)
  hmacInto(k, out, 8, a, b, c, d)
  expect(out.subarray(0, 8).every((x) => x === 0xee) && out.subarray(40).every((x) => x === 0xee)).toBe(true)
  return out.subarray(8, 40)
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max })

describe('hmac', () => {
  it('equals createHmac for any key up to 64 bytes and any parts', () => {
    fc.assert(
      fc.property(bytes(64), bytes(100), fc.array(bytes(120), { maxLength: 3 }), (key, a, rest) => {
        const [b, c, d] = rest
        const expected = createHmac('sha256', key).update(a)
        for (const part of rest) expected.update(part)
        expect(hmac(hmacKey(key), a, b, c, d).equals(expected.digest())).toBe(true)
      }),
    )
  })

  it('handles input larger than its scratch buffer', () => {
    const key = Buffer.alloc(32, 7)
    const big = Buffer.alloc(5000, 1)
    expect(hmac(hmacKey(key), big)).toEqual(createHmac('sha256', key).update(big).digest())
  })

  it('takes a key of exactly one block', () => {
    const key = Buffer.alloc(64, 0xaa)
    const data = Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')
    expect(hmac(hmacKey(key), data)).toEqual(createHmac('sha256', key).update(data).digest())
  })

  it('matches the RFC 4231 test case 2 vector', () => {
    const digest = hmac(hmacKey(Buffer.from('Jefe')), Buffer.from('what do ya want '), Buffer.from('for nothing?'))
    expect(digest.toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')
  })

  it('refuses keys longer than a block', () => {
    expect(() => hmacKey(new Uint8Array(65))).toThrow(RangeError)
  })
})
