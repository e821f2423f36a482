/**
 * Strict base64url (RFC 4648 §5, no padding). Node's decoder silently skips
 * bad characters and ignores non-zero spare bits, so a tampered cookie could
 * decode to the same bytes; this one rejects anything non-canonical.
 */

const ALPHABET = /^[A-Za-z0-9_-]*$/

// Value of each base64url character; -1 for anything else.
const VALUES = new Int8Array(128).fill(-1)
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) {
  VALUES[c.charCodeAt(0)] = i
}

/** The 6-bit value of a base64url character code, or -1. */
export const charValue = (code: number): number => VALUES[code] ?? -1

/** Encodes bytes as unpadded base64url. */
export const encode = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url')

/** Length of the base64url encoding of `n` bytes. */
export const encodedLength = (n: number): number => Math.ceil((n * 4) / 3)

/** Decodes canonical unpadded base64url, or returns undefined. */
export const decode = (text: string): Buffer | undefined => {
  const rest = text.length % 4
  if (rest === 1 || !ALPHABET.test(text)) return undefined
  if (rest !== 0) {
    // The last character carries 4 (rest 2) or 2 (rest 3) spare bits that must be zero.
    const last = VALUES[text.charCodeAt(text.length - 1)] ?? -1
    const spare = rest === 2 ? 0b1111 : 0b11
    if ((last & spare) !== 0) return undefined
  }
  return Buffer.from(text, 'base64url')
}

/**
 * Decodes the first `out.length` bytes of base64url `text` into `out`
 * (`out.length` a multiple of 3), without allocating; false on a character
 * outside the alphabet or a text too short. For peeking at a few header
 * fields on every request: what is decoded here is never trusted, the MAC is
 * checked (on a full, strict decode) before anything of the cookie is used.
 */
export const decodeInto = (text: string, out: Uint8Array): boolean => {
  const groups = out.length / 3
  if (text.length < groups * 4) return false
  for (let g = 0; g < groups; g++) {
    const c = g * 4
    const a = VALUES[text.charCodeAt(c)] ?? -1
    const b = VALUES[text.charCodeAt(c + 1)] ?? -1
    const d = VALUES[text.charCodeAt(c + 2)] ?? -1
    const e = VALUES[text.charCodeAt(c + 3)] ?? -1
    if ((a | b | d | e) < 0) return false
    const o = g * 3
    out[o] = (a << 2) | (b >> 4)
    out[o + 1] = ((b & 15) << 4) | (d >> 2)
    out[o + 2] = ((d & 3) << 6) | e
  }
  return true
}
