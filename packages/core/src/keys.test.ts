import { hkdfSync, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { encryptionKey, ikmFromSecret, keyMaterial, macKey } from './keys.js'

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
