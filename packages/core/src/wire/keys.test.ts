import { hkdfSync, pbkdf2Sync, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { encryptionKey, hkdfExtract, hkdfSha256, ikmFromSecret, keyMaterial, macKey } from './keys.js'

const IKM = ikmFromSecret('a secret of at least thirty-two bytes!')
const hkdf = (usage: string, sid: Buffer, length: number) =>
  Buffer.from(hkdfSync('sha256', IKM, Buffer.alloc(0), Buffer.concat([Buffer.from(usage), sid]), length))

describe('derived keys', () => {
  it('are HKDF-SHA256 of the session id, cached or not, across more ids than the cache holds', () => {
    const km = keyMaterial(IKM)
    const sids = Array.from({ length: 200 }, () => randomBytes(32))
    // Each id twice in a row (issued, then opened), then all of them again after they were evicted.
    for (const sid of [...sids.flatMap((s) => [s, s]), ...sids]) {
      const { key, iv } = encryptionKey(km, sid)
      const expected = hkdf('encryption:', sid, 44)
      expect(Buffer.concat([key, iv])).toEqual(expected)
      expect(macKey(km, sid)).toEqual(hkdf('authentication:', sid, 32))
    }
  })

  it('keep a second secret apart from the first', () => {
    const sid = randomBytes(32)
    const a = keyMaterial(IKM)
    const b = keyMaterial(ikmFromSecret('another secret of thirty-two bytes!!'))
    expect(Buffer.from(macKey(a, sid))).not.toEqual(Buffer.from(macKey(b, sid)))
  })
})

describe('the MAC key', () => {
  it('is the HKDF authentication key, for a fresh id, a cached one, and after the encryption key', () => {
    const km = keyMaterial(IKM)
    const [a, b] = [randomBytes(32), randomBytes(32)]
    expect(macKey(km, a)).toEqual(hkdf('authentication:', a, 32))
    expect(macKey(km, a)).toEqual(hkdf('authentication:', a, 32))
    encryptionKey(km, b)
    expect(macKey(km, b)).toEqual(hkdf('authentication:', b, 32))
    expect(Buffer.concat([encryptionKey(km, b).key, encryptionKey(km, b).iv])).toEqual(hkdf('encryption:', b, 44))
  })

  it('accepts a session id given as a plain Uint8Array view', () => {
    const km = keyMaterial(IKM)
    const sid = randomBytes(40)
    const view = new Uint8Array(sid.buffer, sid.byteOffset + 4, 32)
    expect(macKey(km, view)).toEqual(hkdf('authentication:', sid.subarray(4, 36), 32))
  })

  it('is a Buffer of its own, which no later derivation overwrites', () => {
    const km = keyMaterial(IKM)
    const first = randomBytes(32)
    const kept = macKey(km, first)
    const copy = Buffer.from(kept)
    for (let i = 0; i < 3000; i++) macKey(km, randomBytes(32))
    // The same slot, taken over by another id.
    const other = Buffer.from(first)
    other[31] = (other[31] as number) ^ 1
    macKey(km, other)
    expect(kept).toEqual(copy)
  })
})

describe('the cache of derived keys', () => {
  it('keeps the keys of an id it derived them for, and gives them again without deriving', () => {
    const km = keyMaterial(IKM)
    const sid = randomBytes(32)
    expect(km.derived.holds(sid)).toBe(false)
    const mac = macKey(km, sid)
    expect(km.derived.holds(sid)).toBe(true)
    expect(macKey(km, sid)).toEqual(mac)
    expect(macKey(km, sid)).not.toBe(mac)
  })

  it('gives an id that takes another one’s slot over its own keys, and the other one its own again', () => {
    const km = keyMaterial(IKM)
    const a = randomBytes(32)
    const b = Buffer.from(a)
    b[31] = (b[31] as number) ^ 1 // the same slot (same first bytes), another id
    expect(macKey(km, a)).toEqual(hkdf('authentication:', a, 32))
    expect(Buffer.concat([encryptionKey(km, b).key, encryptionKey(km, b).iv])).toEqual(hkdf('encryption:', b, 44))
    expect(km.derived.holds(a)).toBe(false)
    // b's slot holds no MAC key of a's: it is derived for b.
    expect(macKey(km, b)).toEqual(hkdf('authentication:', b, 32))
    expect(macKey(km, a)).toEqual(hkdf('authentication:', a, 32))
    expect(Buffer.concat([encryptionKey(km, a).key, encryptionKey(km, a).iv])).toEqual(hkdf('encryption:', a, 44))
  })
})

describe('remember keys', () => {
  const sid = randomBytes(32)
  const pbkdf2 = (iterations: number) =>
    pbkdf2Sync(IKM, Buffer.concat([Buffer.from('encryption:'), sid]), iterations, 44, 'sha256')

  it.each([
    ['Low', 1_000],
    ['Medium', 10_000],
  ] as const)('%s safety is PBKDF2-HMAC-SHA256 with %i iterations', (safety, iterations) => {
    const { key, iv } = encryptionKey(keyMaterial(IKM), sid, safety)
    expect(Buffer.concat([key, iv])).toEqual(pbkdf2(iterations))
  })

  it('None and no safety are the HKDF key', () => {
    const km = keyMaterial(IKM)
    for (const safety of ['None', undefined] as const) {
      const { key, iv } = encryptionKey(km, sid, safety)
      expect(Buffer.concat([key, iv])).toEqual(hkdf('encryption:', sid, 44))
    }
  })
})

describe('ikmFromSecret', () => {
  it('is SHA-256 of the secret, as text or bytes', () => {
    const expected = Buffer.from('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'hex')
    expect(ikmFromSecret('test')).toEqual(expected)
    expect(ikmFromSecret(Buffer.from('test'))).toEqual(expected)
  })
})

const hex = (h: string) => Buffer.from(h, 'hex')
const range = (from: number, to: number) => Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i))

// RFC 5869 Appendix A.1–A.3, HKDF-SHA256.
const RFC_5869: readonly { name: string; ikm: Buffer; salt: Buffer; info: Buffer; length: number; okm: string }[] = [
  {
    name: 'test case 1 (basic)',
    ikm: Buffer.alloc(22, 0x0b),
    salt: range(0x00, 0x0c),
    info: range(0xf0, 0xf9),
    length: 42,
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  },
  {
    name: 'test case 2 (longer inputs and output)',
    ikm: range(0x00, 0x4f),
    salt: range(0x60, 0xaf),
    info: range(0xb0, 0xff),
    length: 82,
    okm:
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c' +
      '59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71' +
      'cc30c58179ec3e87c14c01d5c1f3434f1d87',
  },
  {
    name: 'test case 3 (zero-length salt and info, as lua-resty-session uses the salt)',
    ikm: Buffer.alloc(22, 0x0b),
    salt: Buffer.alloc(0),
    info: Buffer.alloc(0),
    length: 42,
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
  },
]

describe('hkdfSha256', () => {
  it.each(RFC_5869)('matches RFC 5869 $name', ({ ikm, salt, info, length, okm }) => {
    expect(hkdfSha256(ikm, info, length, salt)).toEqual(hex(okm))
  })

  it('extracts the PRKs of RFC 5869 test cases 1 and 3', () => {
    const [one, , three] = RFC_5869 as [(typeof RFC_5869)[number], unknown, (typeof RFC_5869)[number]]
    expect(hkdfExtract(one.ikm, one.salt).toString('hex')).toBe(
      '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
    )
    expect(hkdfExtract(three.ikm).toString('hex')).toBe(
      '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04',
    )
  })

  it('agrees with node:crypto hkdfSync for any IKM, salt, info and length', () => {
    for (let i = 0; i < 200; i++) {
      const [ikm, salt, info] = [randomBytes(i % 70), randomBytes((i * 7) % 40), randomBytes((i * 13) % 90)]
      const length = 1 + ((i * 37) % 300)
      expect(hkdfSha256(ikm, info, length, salt)).toEqual(Buffer.from(hkdfSync('sha256', ikm, salt, info, length)))
    }
  })

  it('gives up to 255 blocks (8160 bytes), as RFC 5869 §2.3 allows, and refuses one byte more', () => {
    const [ikm, salt, info] = [randomBytes(32), randomBytes(16), Buffer.from('encryption:')]
    expect(hkdfSha256(ikm, info, 8160, salt)).toEqual(Buffer.from(hkdfSync('sha256', ikm, salt, info, 8160)))
    expect(() => hkdfSha256(ikm, info, 8161, salt)).toThrow(new RangeError('HKDF-SHA256 gives at most 8160 bytes'))
  })

  it('takes the empty salt when none is given', () => {
    const { ikm, info, length, okm } = RFC_5869[2] as (typeof RFC_5869)[number]
    expect(hkdfSha256(ikm, info, length)).toEqual(hex(okm))
  })
})
