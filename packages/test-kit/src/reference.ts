/** The reference's rules, computed independently of Tessera's codec, for known-answer checks. */
import { createHash, createHmac, hkdfSync } from 'node:crypto'

/**
 * The MAC lua-resty-session writes into a header bound to a client: HMAC-SHA256 under
 * HKDF(SHA-256(secret), "authentication:" || sid) of header[0..65] || "#" || SHA-256(bound),
 * cut to 16 bytes. `bound` is the bytes nginx hashes: the bound values joined by "|", raw.
 */
export const referenceBoundMac = (secret: string, header: Uint8Array, bound: Uint8Array): Buffer => {
  const ikm = createHash('sha256').update(secret).digest()
  const info = Buffer.concat([Buffer.from('authentication:'), header.subarray(3, 35)])
  const key = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), info, 32))
  const digest = createHash('sha256').update(bound).digest()
  const message = Buffer.concat([header.subarray(0, 66), Buffer.from('#'), digest])
  return createHmac('sha256', key).update(message).digest().subarray(0, 16)
}
