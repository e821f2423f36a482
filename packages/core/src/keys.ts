/**
 * Key derivation exactly as lua-resty-session 4.x does it: HKDF-SHA256 with an
 * empty salt and info `"<usage>:" || sid`, or PBKDF2-HMAC-SHA256 for remember
 * cookies. The HKDF extract step depends only on the key material, so it is
 * computed once per secret and only the expand step runs per session id.
 */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'
import { type HmacKey, hmac, hmacKey } from './hmac.js'

/** Key material for one secret: the IKM, its cached HKDF pseudo-random key, and recently derived keys. */
export interface KeyMaterial {
  readonly ikm: Buffer
  readonly prk: Buffer
  /** The PRK's HMAC pads: every expand is an HMAC under it. */
  readonly prkKey: HmacKey
  /** Keys derived per session id, most recent last: a cookie is usually opened again soon after it was issued. */
  readonly derived: Map<string, Derived>
}

interface Derived {
  enc?: { readonly key: Buffer; readonly iv: Buffer }
  mac?: Buffer
  macKey?: HmacKey
}

// Measured: three HMACs per session id are a third of opening a cookie; a small LRU saves them when
// a cookie is opened soon after it was issued or opened. Small on purpose: cached Buffers that
// outlive a young-generation collection cost GC time, and with 1024 entries sealing ran ~2× slower
// than with 64 (which still keeps the round trip issue → open at 1.3× the bare cryptography).
const CACHE_SIZE = 64

const derivedFor = (km: KeyMaterial, sid: Uint8Array): Derived => {
  const id = (Buffer.isBuffer(sid) ? sid : Buffer.from(sid.buffer, sid.byteOffset, sid.length)).toString('latin1')
  let d = km.derived.get(id)
  if (d !== undefined) {
    km.derived.delete(id)
  } else {
    d = {}
    if (km.derived.size >= CACHE_SIZE) km.derived.delete(km.derived.keys().next().value as string)
  }
  km.derived.set(id, d)
  return d
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
export const keyMaterial = (ikm: Buffer): KeyMaterial => {
  const prk = createHmac('sha256', Buffer.alloc(32)).update(ikm).digest()
  return { ikm, prk, prkKey: hmacKey(prk), derived: new Map() }
}

/**
 * HKDF-Expand (RFC 5869 §2.3) with info = `usage || sid`, for at most two
 * blocks, which is all we need (32 or 44 bytes). The info is fed to the HMAC
 * in parts and the blocks are returned as they are, to save allocations on
 * the hot path.
 */
const expand = (prk: HmacKey, usage: Buffer, sid: Uint8Array, blocks: 1 | 2): [Buffer, Buffer | undefined] => {
  const t1 = hmac(prk, usage, sid, ONE)
  if (blocks === 1) return [t1, undefined]
  return [t1, hmac(prk, t1, usage, sid, TWO)]
}

/** AES-256-GCM key and IV for a session id (HKDF, or PBKDF2 for remember cookies). */
export const encryptionKey = (
  km: KeyMaterial,
  sid: Uint8Array,
  safety?: RememberSafety,
): { readonly key: Buffer; readonly iv: Buffer } => {
  if (safety !== undefined && safety !== 'None') {
    // PBKDF2 is slow on purpose; remember cookies are opened rarely, so these keys are not cached.
    const bytes = pbkdf2Sync(km.ikm, Buffer.concat([ENCRYPTION, sid]), ITERATIONS[safety], 44, 'sha256')
    return { key: bytes.subarray(0, 32), iv: bytes.subarray(32, 44) }
  }
  const d = derivedFor(km, sid)
  if (d.enc === undefined) {
    const [t1, t2] = expand(km.prkKey, ENCRYPTION, sid, 2)
    d.enc = { key: t1, iv: (t2 as Buffer).subarray(0, 12) }
  }
  return d.enc
}

/** HMAC-SHA256 key for a session id. */
export const macKey = (km: KeyMaterial, sid: Uint8Array): Buffer => {
  const d = derivedFor(km, sid)
  d.mac ??= expand(km.prkKey, AUTHENTICATION, sid, 1)[0]
  return d.mac
}

/** The MAC key of a session id, prepared for `hmac` (cached with the key). */
export const macHmacKey = (km: KeyMaterial, sid: Uint8Array): HmacKey => {
  const d = derivedFor(km, sid)
  if (d.macKey === undefined) {
    d.mac ??= expand(km.prkKey, AUTHENTICATION, sid, 1)[0]
    d.macKey = hmacKey(d.mac)
  }
  return d.macKey
}
