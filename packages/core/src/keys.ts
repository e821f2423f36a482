/**
 * Key derivation exactly as lua-resty-session 4.x does it: HKDF-SHA256 with an
 * empty salt and info `"<usage>:" || sid`, or PBKDF2-HMAC-SHA256 for remember
 * cookies. All of it is `node:crypto`.
 */
import { createHash, createSecretKey, hkdfSync, type KeyObject, pbkdf2Sync } from 'node:crypto'

/** An AES-256-GCM key and IV. */
export interface EncryptionKey {
  readonly key: Buffer
  readonly iv: Buffer
}

/** What is derived for one session id; each part is derived the first time it is asked for. */
interface Derived {
  encryption?: EncryptionKey
  mac?: Buffer
}

/** Key material for one secret: the IKM, and the keys derived from it for recent session ids. */
export interface KeyMaterial {
  readonly ikm: Buffer
  /** The IKM imported once as a key object, so each HKDF call skips importing it. */
  readonly ikmKey: KeyObject
  /** By session id (as a latin1 string), least recently used first; at most CACHED ids. */
  readonly derived: Map<string, Derived>
}

/**
 * Session ids whose keys are kept per secret: a cookie is usually opened
 * again soon after it was issued, and a touch needs the MAC key again.
 */
const CACHED = 256

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

/** HKDF-SHA256 (RFC 5869): `length` bytes from `ikm` for `info`; lua-resty-session's salt is empty. */
export const hkdfSha256 = (
  ikm: Uint8Array | KeyObject,
  info: Uint8Array,
  length: number,
  salt: Uint8Array = NO_SALT,
): Buffer => Buffer.from(hkdfSync('sha256', ikm, salt, info, length))

/** IKM = SHA-256(secret), as the reference derives it from a passphrase. */
export const ikmFromSecret = (secret: string | Uint8Array): Buffer => createHash('sha256').update(secret).digest()

/** Key material for an IKM, with nothing derived yet. */
export const keyMaterial = (ikm: Buffer): KeyMaterial => ({ ikm, ikmKey: createSecretKey(ikm), derived: new Map() })

/** The cache entry of a session id, made the most recently used; the least recently used one goes when full. */
const derivedFor = (km: KeyMaterial, sid: Uint8Array): Derived => {
  const id = Buffer.from(sid.buffer, sid.byteOffset, sid.length).toString('latin1')
  const cache = km.derived
  let entry = cache.get(id)
  if (entry !== undefined) cache.delete(id)
  else {
    entry = {}
    if (cache.size >= CACHED) cache.delete(cache.keys().next().value as string)
  }
  cache.set(id, entry)
  return entry
}

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
  const entry = derivedFor(km, sid)
  if (entry.encryption === undefined) {
    const bytes = hkdfSha256(km.ikmKey, Buffer.concat([ENCRYPTION, sid]), 44)
    entry.encryption = { key: bytes.subarray(0, 32), iv: bytes.subarray(32, 44) }
  }
  return entry.encryption
}

/** HMAC-SHA256 key for a session id (HKDF). */
export const macKey = (km: KeyMaterial, sid: Uint8Array): Buffer => {
  const entry = derivedFor(km, sid)
  entry.mac ??= hkdfSha256(km.ikmKey, Buffer.concat([AUTHENTICATION, sid]), 32)
  return entry.mac
}
