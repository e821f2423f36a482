/**
 * Key derivation exactly as lua-resty-session 4.x does it: HKDF-SHA256 with an
 * empty salt and info `"<usage>:" || sid`, or PBKDF2-HMAC-SHA256 for remember
 * cookies. All of it is `node:crypto`: HKDF is its two steps over
 * `createHmac` (RFC 5869 §2.2–2.3, hmac.ts), so that the extract, which depends only on
 * the secret, is done once per secret and each session id costs only the
 * expand (one HMAC per 32 bytes).
 */
import { createHash, createSecretKey, type KeyObject, pbkdf2Sync } from 'node:crypto'
import { DerivedKeys } from './derived-keys.js'
import { hmacSha256, hmacSha256Into } from './hmac.js'

/** An AES-256-GCM key and IV. */
export interface EncryptionKey {
  readonly key: Buffer
  readonly iv: Buffer
}

/** Key material for one secret: the IKM, its HKDF pseudo-random key, and the keys derived for recent session ids. */
export interface KeyMaterial {
  readonly ikm: Buffer
  /** HKDF-Extract of the IKM (lua-resty-session's salt is empty), imported once as a key object. */
  readonly prk: KeyObject
  /** The keys derived for recent session ids (derived-keys.ts). */
  readonly derived: DerivedKeys
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
const NO_SALT = Buffer.alloc(0)
const ZERO_SALT = Buffer.alloc(32)
/** SHA-256's digest size: one HKDF-Expand block. */
const DIGEST = 32

/** HKDF-Extract (RFC 5869 §2.2): PRK = HMAC-SHA256(salt, IKM); an empty salt is 32 zero bytes. */
export const hkdfExtract = (ikm: Uint8Array, salt: Uint8Array = NO_SALT): Buffer =>
  hmacSha256(salt.length === 0 ? ZERO_SALT : salt, ikm)

/** HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC-SHA256(PRK, T(i-1) || info || i), the first `length` bytes. */
const hkdfExpand = (prk: Uint8Array | KeyObject, info: Uint8Array, length: number): Buffer => {
  if (length > 255 * DIGEST) throw new RangeError('HKDF-SHA256 gives at most 8160 bytes')
  const blocks = Math.ceil(length / DIGEST)
  // One buffer holds T(i-1) || info || i, so that each block is a single update.
  const input = Buffer.allocUnsafe(DIGEST + info.length + 1)
  input.set(info, DIGEST)
  const out = Buffer.allocUnsafe(blocks * DIGEST)
  for (let i = 1; i <= blocks; i++) {
    input[DIGEST + info.length] = i
    hmacSha256Into(out, (i - 1) * DIGEST, DIGEST, prk, i === 1 ? input.subarray(DIGEST) : input)
    if (i < blocks) out.copy(input, 0, (i - 1) * DIGEST, i * DIGEST)
  }
  return out.length === length ? out : out.subarray(0, length)
}

/** HKDF-SHA256 (RFC 5869): `length` bytes from `ikm` for `info`. */
export const hkdfSha256 = (ikm: Uint8Array, info: Uint8Array, length: number, salt: Uint8Array = NO_SALT): Buffer =>
  hkdfExpand(hkdfExtract(ikm, salt), info, length)

/** IKM = SHA-256(secret), as the reference derives it from a passphrase. */
export const ikmFromSecret = (secret: string | Uint8Array): Buffer => createHash('sha256').update(secret).digest()

/** Key material for an IKM, with nothing derived yet. */
export const keyMaterial = (ikm: Buffer): KeyMaterial => ({
  ikm,
  prk: createSecretKey(hkdfExtract(ikm)),
  derived: new DerivedKeys(),
})

/** PBKDF2 iterations of a remember cookie's AES key and IV at `safety`; undefined for `None` (HKDF). */
export const pbkdf2Iterations = (safety: RememberSafety): number | undefined =>
  safety === 'None' ? undefined : ITERATIONS[safety]

/** PBKDF2's salt for a session id: `"encryption:" || sid`, as the reference salts it. */
export const pbkdf2Salt = (sid: Uint8Array): Buffer => Buffer.concat([ENCRYPTION, sid])

/** AES-256-GCM key and IV for a session id: HKDF, or PBKDF2 for remember cookies. */
export const encryptionKey = (km: KeyMaterial, sid: Uint8Array, safety?: RememberSafety): EncryptionKey => {
  if (safety !== undefined && safety !== 'None') {
    // PBKDF2 is slow on purpose; remember cookies are opened rarely, so these keys are not cached.
    // Sealing runs it here; opening, which anyone with a cookie can ask for, goes through slow-keys.ts.
    const bytes = pbkdf2Sync(km.ikm, pbkdf2Salt(sid), ITERATIONS[safety], 44, 'sha256')
    return { key: bytes.subarray(0, 32), iv: bytes.subarray(32, 44) }
  }
  const bytes = km.derived.encryption(sid, () => hkdfExpand(km.prk, Buffer.concat([ENCRYPTION, sid]), 44))
  return { key: bytes.subarray(0, 32), iv: bytes.subarray(32, 44) }
}

/** HMAC-SHA256 key for a session id (HKDF). */
export const macKey = (km: KeyMaterial, sid: Uint8Array): Buffer =>
  km.derived.mac(sid, () => hkdfExpand(km.prk, Buffer.concat([AUTHENTICATION, sid]), 32))
