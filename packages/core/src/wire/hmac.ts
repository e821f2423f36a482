/** HMAC-SHA256 (RFC 2104) from `node:crypto`, over a message given in parts. */
import { createHmac } from 'node:crypto'

/** HMAC-SHA256 under `key` of the parts, concatenated. */
export const hmacSha256 = (key: Uint8Array, ...parts: readonly Uint8Array[]): Buffer => {
  const mac = createHmac('sha256', key)
  for (const part of parts) mac.update(part)
  return mac.digest()
}
