/**
 * HMAC-SHA256 (RFC 2104) from `node:crypto`, over a message given in parts.
 *
 * The digest is taken as a latin1 ('binary') string (one char per byte) and written into
 * a buffer the caller already has: a digest returned as a Buffer costs a new
 * backing store per call, more than the HMAC itself on a save's four of them
 * (docs/decisions.md, "Digests written into place").
 */
import { createHmac, type KeyObject } from 'node:crypto'

const DIGEST = 32

/** Writes the first `length` bytes of HMAC-SHA256 under `key` of the parts, concatenated, into `out` at `at`. */
export const hmacSha256Into = (
  out: Buffer,
  at: number,
  length: number,
  key: Uint8Array | KeyObject,
  ...parts: readonly Uint8Array[]
): void => {
  const mac = createHmac('sha256', key)
  for (const part of parts) mac.update(part)
  out.write(mac.digest('binary'), at, Math.min(length, DIGEST), 'latin1') // 'binary' is latin1
}

/** HMAC-SHA256 under `key` of the parts, concatenated. */
export const hmacSha256 = (key: Uint8Array | KeyObject, ...parts: readonly Uint8Array[]): Buffer => {
  const out = Buffer.allocUnsafe(DIGEST)
  hmacSha256Into(out, 0, DIGEST, key, ...parts)
  return out
}
