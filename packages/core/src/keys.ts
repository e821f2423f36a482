/**
 * Key derivation exactly as lua-resty-session 4.x does it: HKDF-SHA256 with an
 * empty salt and info `"<usage>:" || sid`, or PBKDF2-HMAC-SHA256 for remember
 * cookies. The HKDF extract step depends only on the key material, so it is
 * computed once per secret and only the expand step runs per session id.
 */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'

/** Key material for one secret: the IKM and its cached HKDF pseudo-random key. */
export interface KeyMaterial {
  readonly ikm: Buffer
  readonly prk: Buffer
}

export type RememberSafety = 'None' | 'Low' | 'Medium' | 'High' | 'Very High'

const ITERATIONS: Readonly<Record<Exclude<RememberSafety, 'None'>, number>> = {
  Low: 1_000,
  Medium: 10_000,
  High: 100_000,
  'Very High': 1_000_000,
}

const ENCRYPTION = Buffer.from('encryption:')
const AUTHENTICATION = Buffer.from('authentication:')
const ONE = Buffer.of(1)
const TWO = Buffer.of(2)

/** IKM = SHA-256(secret), as the reference derives it from a passphrase. */
export const ikmFromSecret = (secret: string | Uint8Array): Buffer => createHash('sha256').update(secret).digest()

/** Prepares key material: HKDF-Extract with the empty salt (RFC 5869 §2.2). */
export const keyMaterial = (ikm: Buffer): KeyMaterial => ({
  ikm,
  prk: createHmac('sha256', Buffer.alloc(32)).update(ikm).digest(),
})

/** HKDF-Expand (RFC 5869 §2.3) for at most two blocks, which is all we need (32 or 44 bytes). */
const expand = (prk: Buffer, info: Buffer, length: number): Buffer => {
  const t1 = createHmac('sha256', prk).update(info).update(ONE).digest()
  if (length <= 32) return t1.subarray(0, length)
  const t2 = createHmac('sha256', prk).update(t1).update(info).update(TWO).digest()
  return Buffer.concat([t1, t2]).subarray(0, length)
}

/** AES-256-GCM key and IV for a session id (HKDF, or PBKDF2 for remember cookies). */
export const encryptionKey = (
  km: KeyMaterial,
  sid: Uint8Array,
  safety?: RememberSafety,
): { readonly key: Buffer; readonly iv: Buffer } => {
  const info = Buffer.concat([ENCRYPTION, sid])
  const bytes =
    safety === undefined || safety === 'None'
      ? expand(km.prk, info, 44)
      : pbkdf2Sync(km.ikm, info, ITERATIONS[safety], 44, 'sha256')
  return { key: bytes.subarray(0, 32), iv: bytes.subarray(32, 44) }
}

/** HMAC-SHA256 key for a session id. */
export const macKey = (km: KeyMaterial, sid: Uint8Array): Buffer =>
  expand(km.prk, Buffer.concat([AUTHENTICATION, sid]), 32)
