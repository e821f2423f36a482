import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as b64 from './base64url.js'
import { HEADER_ENCODED_SIZE, HEADER_SIZE, peekHeader, readHeader } from './header.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

describe('peekHeader', () => {
  it('reads type, flags and times exactly as readHeader does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: HEADER_SIZE, maxLength: HEADER_SIZE }), fc.string(), (bytes, rest) => {
        const buffer = Buffer.from(bytes)
        const header = readHeader(buffer)
        const peeked = peekHeader(b64.encode(buffer) + rest)
        expect(peeked).toEqual({
          type: buffer[0],
          flags: header.flags,
          creation: header.creation,
          rolling: header.rolling,
          idling: header.idling,
        })
      }),
    )
  })

  it('accepts exactly the header texts the strict decoder accepts', () => {
    const char = fc.oneof(fc.constantFrom(...ALPHABET), fc.constantFrom('=', '+', '/', '.', ' ', 'é', '\u0000'))
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: HEADER_SIZE, maxLength: HEADER_SIZE }),
        fc.nat(HEADER_ENCODED_SIZE - 1),
        char,
        (bytes, at, c) => {
          const text = b64.encode(bytes)
          const changed = text.slice(0, at) + c + text.slice(at + 1)
          expect(peekHeader(changed) !== undefined).toBe(b64.decode(changed) !== undefined)
        },
      ),
    )
  })

  it('refuses a text shorter than a header', () => {
    const text = b64.encode(new Uint8Array(HEADER_SIZE))
    expect(peekHeader(text)).toBeDefined()
    expect(peekHeader(text.slice(0, HEADER_ENCODED_SIZE - 1))).toBeUndefined()
    expect(peekHeader('')).toBeUndefined()
  })
})
