import { describe, expect, it } from 'vitest'
import { keyLayout } from './keys.js'
import { hashTagOf, keySlot, sameSlot } from './slot.js'

describe('keySlot', () => {
  it('matches CLUSTER KEYSLOT on known keys', () => {
    // CRC16/XMODEM("123456789") = 0x31C3, the check value of the Redis Cluster spec.
    expect(keySlot('123456789')).toBe(0x31c3)
    expect(keySlot('foo')).toBe(12182)
    expect(keySlot('bar')).toBe(5061)
  })

  it('hashes only a non-empty hash tag, the first one', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'))
    expect(hashTagOf('a{}b{c}')).toBeUndefined()
    expect(hashTagOf('{a}{b}')).toBe('a')
    expect(hashTagOf('x{y')).toBeUndefined()
  })
})

describe('keyLayout', () => {
  const ref = { audience: 'cG9ydGFs', subject: 'am9obkBleGFtcGxlLmNvbQ' }

  it("builds the reference's record and index keys with and without prefix and suffix", () => {
    expect(keyLayout().record('session', 'k')).toBe('session:k')
    expect(keyLayout().index('session', ref)).toBe('session:cG9ydGFs:am9obkBleGFtcGxlLmNvbQ')
    expect(keyLayout('p', 's').record('session', 'k')).toBe('p:session:k:s')
    expect(keyLayout('p', 's').index('session', ref)).toBe('p:session:cG9ydGFs:am9obkBleGFtcGxlLmNvbQ:s')
    expect(keyLayout(undefined, 's').record('session', 'k')).toBe('session:k:s')
  })

  it('puts every companion in its record slot, with or without a hash tag in the affixes', () => {
    for (const layout of [keyLayout(), keyLayout('p', 's'), keyLayout('{t}'), keyLayout('p', '{t}')]) {
      const rec = layout.record('session', 'mJHvuVmd8qUajQ0AKnqJeUGzset-Ilz5Ymr-vlHgEKE')
      expect(sameSlot([rec, layout.companion(rec)])).toBe(true)
    }
  })

  // Regression: 'a:b'+'c' and 'a'+'b:c' joined with ':' named the same index.
  it('keeps audiences and subjects that are not base64url from colliding', () => {
    const layout = keyLayout()
    expect(layout.index('n', { audience: 'a:b', subject: 'c' })).not.toBe(
      layout.index('n', { audience: 'a', subject: 'b:c' }),
    )
    expect(layout.index('n', { audience: '*', subject: 'x' })).toBe('n:*:x')
  })

  it('refuses braces that do not form a hash tag, and braces in cookie names', () => {
    expect(() => keyLayout('a}b')).toThrow(TypeError)
    expect(() => keyLayout('{}')).toThrow(TypeError)
    expect(() => keyLayout().record('se{s}sion', 'k')).toThrow(TypeError)
  })
})
