import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hmacSha256, hmacSha256Into } from './hmac.js'

const hex = (h: string) => Buffer.from(h, 'hex')
const text = (s: string) => Buffer.from(s, 'latin1')

// RFC 4231 §4.2–4.8, HMAC-SHA-256 (test case 5 gives only the first 128 bits).
const RFC_4231: readonly { name: string; key: Buffer; data: Buffer; mac: string }[] = [
  {
    name: 'test case 1',
    key: Buffer.alloc(20, 0x0b),
    data: text('Hi There'),
    mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  },
  {
    name: 'test case 2 (a key shorter than the output)',
    key: text('Jefe'),
    data: text('what do ya want for nothing?'),
    mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    name: 'test case 3',
    key: Buffer.alloc(20, 0xaa),
    data: Buffer.alloc(50, 0xdd),
    mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
  },
  {
    name: 'test case 4',
    key: hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
    data: Buffer.alloc(50, 0xcd),
    mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
  },
  {
    name: 'test case 5 (truncated to 128 bits)',
    key: Buffer.alloc(20, 0x0c),
    data: text('Test With Truncation'),
    mac: 'a3b6167473100ee06e0c796c2955552b',
  },
  {
    name: 'test case 6 (a key larger than the block)',
    key: Buffer.alloc(131, 0xaa),
    data: text('Test Using Larger Than Block-Size Key - Hash Key First'),
    mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
  {
    name: 'test case 7 (a key and data larger than the block)',
    key: Buffer.alloc(131, 0xaa),
    data: text(
      'This is a test using a larger than block-size key and a larger than block-size data. ' +
        'The key needs to be hashed before being used by the HMAC algorithm.',
    ),
    mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  },
]

describe('hmacSha256', () => {
  it.each(RFC_4231)('matches RFC 4231 $name', ({ key, data, mac }) => {
    expect(
      hmacSha256(key, data)
        .subarray(0, mac.length / 2)
        .toString('hex'),
    ).toBe(mac)
  })

  it('matches RFC 4231 test case 2 with the data given in parts, as the bound MAC input is', () => {
    const digest = hmacSha256(text('Jefe'), text('what do ya want '), text('for nothing?'))
    expect(digest.toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')
  })

  it('is the MAC of the parts joined, however the message is split', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 4 }),
        (key, parts) => {
          const whole = createHmac('sha256', key).update(Buffer.concat(parts)).digest()
          expect(hmacSha256(key, ...parts).equals(whole)).toBe(true)
        },
      ),
    )
  })
})

describe('hmacSha256Into', () => {
  it('writes the first `length` bytes of the MAC at `at`, and nothing around them', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 120 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 32 }),
        (key, data, at, length) => {
          const out = Buffer.alloc(at + length + 8, 0xee)
          hmacSha256Into(out, at, length, key, data)
          const mac = createHmac('sha256', key).update(data).digest()
          expect(out.subarray(at, at + length).equals(mac.subarray(0, length))).toBe(true)
          expect(out.subarray(0, at).every((b) => b === 0xee)).toBe(true)
          expect(out.subarray(at + length).every((b) => b === 0xee)).toBe(true)
        },
      ),
    )
  })

  it('writes the digest byte for byte, high bytes included (RFC 4231 test case 1, bytes 0x80–0xff)', () => {
    const out = Buffer.alloc(32)
    hmacSha256Into(out, 0, 32, Buffer.alloc(20, 0x0b), text('Hi There'))
    expect(out.toString('hex')).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7')
  })
})
