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
