import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DerivedKeys, SLOTS } from './derived-keys.js'

/** A stand-in derivation: 44 or 32 bytes that name the id, counting its calls. */
const counting = () => {
  const calls: string[] = []
  const derive = (usage: string, sid: Uint8Array, length: number) => () => {
    calls.push(`${usage}:${Buffer.from(sid).toString('hex')}`)
    return Buffer.alloc(length, `${usage}${Buffer.from(sid).toString('hex')}`)
  }
  return { calls, derive }
}

describe('derived keys in one slab', () => {
  it('derives each part of an id once while the id holds its slot', () => {
    const keys = new DerivedKeys()
    const { calls, derive } = counting()
    const sid = randomBytes(32)
    const enc = keys.encryption(sid, derive('enc', sid, 44))
    const mac = keys.mac(sid, derive('mac', sid, 32))
    expect(keys.encryption(sid, derive('enc', sid, 44))).toEqual(enc)
    expect(keys.mac(sid, derive('mac', sid, 32))).toEqual(mac)
    expect(calls).toHaveLength(2)
    expect(enc).toEqual(Buffer.alloc(44, `enc${sid.toString('hex')}`))
    expect(mac).toEqual(Buffer.alloc(32, `mac${sid.toString('hex')}`))
  })

  it('gives every id its own keys, whichever ids share a slot and in whatever order they come', () => {
    fc.assert(
      fc.property(
        // Ids that differ in their last byte only share a slot; the first byte spreads them over a few.
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.boolean()), {
          maxLength: 60,
        }),
        (steps) => {
          const keys = new DerivedKeys()
          const { derive } = counting()
          for (const [first, last, wantsMac] of steps) {
            const sid = Buffer.alloc(32, 7)
            sid[0] = first
            sid[31] = last
            const got = wantsMac ? keys.mac(sid, derive('mac', sid, 32)) : keys.encryption(sid, derive('enc', sid, 44))
            const usage = wantsMac ? 'mac' : 'enc'
            expect(got).toEqual(Buffer.alloc(wantsMac ? 32 : 44, `${usage}${sid.toString('hex')}`))
          }
        },
      ),
    )
  })

  it('hands out copies: a key held stays as it was when its slot is taken over', () => {
    const keys = new DerivedKeys()
    const { derive } = counting()
    const a = Buffer.alloc(32, 1)
    const b = Buffer.from(a)
    b[31] = 2
    const held = keys.mac(a, derive('mac', a, 32))
    const before = Buffer.from(held)
    keys.mac(b, derive('mac', b, 32))
    expect(held).toEqual(before)
    expect(keys.holds(a)).toBe(false)
    expect(keys.holds(b)).toBe(true)
  })

  it('holds ids of different slots side by side', () => {
    const keys = new DerivedKeys()
    const { calls, derive } = counting()
    const sids = Array.from({ length: SLOTS }, (_, i) => {
      const sid = Buffer.alloc(32, 9)
      sid.writeUInt16BE(i, 0)
      return sid
    })
    for (const sid of sids) keys.mac(sid, derive('mac', sid, 32))
    for (const sid of sids) keys.mac(sid, derive('mac', sid, 32))
    expect(calls).toHaveLength(SLOTS)
    for (const sid of sids) expect(keys.holds(sid)).toBe(true)
  })

  it('keeps nothing for an id that is not 32 bytes', () => {
    const keys = new DerivedKeys()
    const { calls, derive } = counting()
    const sid = randomBytes(16)
    keys.mac(sid, derive('mac', sid, 32))
    keys.mac(sid, derive('mac', sid, 32))
    expect(calls).toHaveLength(2)
    expect(keys.holds(sid)).toBe(false)
  })

  it('holds no id of another length, even one that starts as a kept id does', () => {
    const keys = new DerivedKeys()
    const { derive } = counting()
    const sid = randomBytes(32)
    keys.mac(sid, derive('mac', sid, 32))
    expect(keys.holds(sid)).toBe(true)
    expect(keys.holds(sid.subarray(0, 16))).toBe(false)
  })

  it('holds nothing for an id of zero bytes in a slot that was never used (the slab starts zeroed)', () => {
    const keys = new DerivedKeys()
    expect(keys.holds(Buffer.alloc(32))).toBe(false)
  })
})
