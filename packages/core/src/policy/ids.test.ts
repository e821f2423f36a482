import { createHash, randomBytes } from 'node:crypto'
import { scriptedRandom } from '@tessera/test-kit'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { newSid, taggedOtherKind } from './ids.js'

const fixed = (bytes: Uint8Array) => ({ bytes: () => Buffer.from(bytes) })

describe('session ids tagged with their cookie kind', () => {
  it('keep the first 16 random bytes and end in SHA-256 of the label and those bytes', () => {
    const random = randomBytes(32)
    const sid = Buffer.from(newSid(fixed(random), 'remember', true))
    expect(sid.subarray(0, 16)).toEqual(random.subarray(0, 16))
    const tag = createHash('sha256').update('tessera:remember:').update(random.subarray(0, 16)).digest()
    expect(sid.subarray(16)).toEqual(tag.subarray(0, 16))
  })

  it('are told apart: each kind is refused only as the other', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (random) => {
        const session = newSid(fixed(random), 'session', true)
        const remember = newSid(fixed(random), 'remember', true)
        expect([taggedOtherKind(session, 'session'), taggedOtherKind(session, 'remember')]).toEqual([false, true])
        expect([taggedOtherKind(remember, 'remember'), taggedOtherKind(remember, 'session')]).toEqual([false, true])
        // Plain random ids, as the reference issues them, are refused as neither.
        const plain = newSid(fixed(random), 'session', false)
        expect(Buffer.from(plain)).toEqual(Buffer.from(random))
        expect([taggedOtherKind(plain, 'session'), taggedOtherKind(plain, 'remember')]).toEqual([false, false])
      }),
    )
  })

  it('read the tag where the id sits inside a larger buffer', () => {
    const sid = newSid(scriptedRandom(), 'session', true)
    const header = Buffer.concat([Buffer.alloc(3), sid, Buffer.alloc(47)])
    expect(taggedOtherKind(header.subarray(3, 35), 'remember')).toBe(true)
    expect(taggedOtherKind(header.subarray(3, 35), 'session')).toBe(false)
  })
})
