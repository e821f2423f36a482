import { createHmac, hkdfSync, pbkdf2Sync, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hmacInto } from './hmac.js'
import { encryptionKey, ikmFromSecret, keyMaterial, macHmacKey, macKey } from './keys.js'

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

describe('the MAC key, prepared', () => {
  it('is the HKDF authentication key, for a fresh id, a cached one, and after the encryption key', () => {
    const km = keyMaterial(IKM)
    const message = Buffer.from('header bytes')
    const expectedFor = (sid: Buffer) =>
      createHmac('sha256', hkdf('authentication:', sid, 32))
        .update(message)
        .digest()
    const macWith = (sid: Buffer) => {
      const out = Buffer.alloc(32)
      hmacInto(macHmacKey(km, sid), out, 0, message)
      return out
    }
    const [a, b] = [randomBytes(32), randomBytes(32)]
    expect(macWith(a)).toEqual(expectedFor(a))
    expect(macWith(a)).toEqual(expectedFor(a))
    encryptionKey(km, b)
    expect(macWith(b)).toEqual(expectedFor(b))
    expect(Buffer.concat([encryptionKey(km, b).key, encryptionKey(km, b).iv])).toEqual(hkdf('encryption:', b, 44))
  })

  it('accepts a session id given as a plain Uint8Array view', () => {
    const km = keyMaterial(IKM)
    const sid = randomBytes(40)
    const view = new Uint8Array(sid.buffer, sid.byteOffset + 4, 32)
    expect(macKey(km, view)).toEqual(hkdf('authentication:', sid.subarray(4, 36), 32))
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
