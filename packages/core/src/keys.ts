/**
 * Key derivation exactly as lua-resty-session 4.x does it: HKDF-SHA256 with an
 * empty salt and info `"<usage>:" || sid`, or PBKDF2-HMAC-SHA256 for remember
 * cookies. The HKDF extract step depends only on the key material, so it is
 * computed once per secret and only the expand step runs per session id.
 */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'
import { type HmacKey, hmacInto, hmacKey, writePads } from './hmac.js'
import { SlotRing } from './ring.js'

/** Key material for one secret: the IKM, its cached HKDF pseudo-random key, and recently derived keys. */
export interface KeyMaterial {
  readonly ikm: Buffer
  readonly prk: Buffer
  /** The PRK's HMAC pads: every expand is an HMAC under it. */
  readonly prkKey: HmacKey
  /** Keys derived per session id: a cookie is usually opened again soon after it was issued. */
  readonly derived: DerivedKeys
}

// Measured: three HMACs per session id are a third of opening a cookie; a small cache saves them
// when a cookie is opened soon after it was issued or opened. The cache allocates nothing per
// entry: keys live in one slab, so what it keeps costs the garbage collector nothing (a Map of
// Buffers per entry made sealing ~1.5x slower, most of it collecting the cached Buffers).
const SLOTS = 64
const ENC = 0 // key 32 | iv 12
const MAC = 44 // key 32
const PADS = 76 // inner 64 | outer 64
const SLOT = 204
const HAS_ENC = 1
const HAS_MAC = 2

/**
 * The last SLOTS session ids' derived keys, first in first out. What it
 * returns are views into its slab: use them at once (every caller hands them
 * straight to node:crypto or `hmac`), they are overwritten 64 ids later.
 */
export class DerivedKeys {
  private readonly slab = Buffer.alloc(SLOTS * SLOT)
  private readonly ring = new SlotRing(SLOTS)
  private readonly have = new Uint8Array(SLOTS)
  private readonly enc: { readonly key: Buffer; readonly iv: Buffer }[] = []
  private readonly mac: Buffer[] = []
  private readonly pads: HmacKey[] = []
  constructor() {
    for (let i = 0; i < SLOTS; i++) {
      const at = i * SLOT
      const view = (from: number, length: number) => this.slab.subarray(at + from, at + from + length)
      this.enc.push({ key: view(ENC, 32), iv: view(ENC + 32, 12) })
      this.mac.push(view(MAC, 32))
      this.pads.push({ inner: view(PADS, 64), outer: view(PADS + 64, 64) })
    }
  }

  private slotOf(sid: Uint8Array): number {
    const id = (Buffer.isBuffer(sid) ? sid : Buffer.from(sid.buffer, sid.byteOffset, sid.length)).toString('latin1')
    const known = this.ring.find(id)
    if (known !== undefined) return known
    const slot = this.ring.claim(id)
    this.have[slot] = 0
    return slot
  }

  encryption(prk: HmacKey, sid: Uint8Array): { readonly key: Buffer; readonly iv: Buffer } {
    const slot = this.slotOf(sid)
    const enc = this.enc[slot] as { readonly key: Buffer; readonly iv: Buffer }
    if (((this.have[slot] as number) & HAS_ENC) === 0) {
      // HKDF-Expand, two blocks: T1 is the key, the first 12 bytes of T2 the IV.
      hmacInto(prk, this.slab, slot * SLOT + ENC, ENCRYPTION, sid, ONE)
      hmacInto(prk, T2, 0, enc.key, ENCRYPTION, sid, TWO)
      enc.iv.set(T2_IV)
      this.have[slot] = (this.have[slot] as number) | HAS_ENC
    }
    return enc
  }

  private withMac(prk: HmacKey, sid: Uint8Array): number {
    const slot = this.slotOf(sid)
    if (((this.have[slot] as number) & HAS_MAC) === 0) {
      // HKDF-Expand, one block.
      hmacInto(prk, this.slab, slot * SLOT + MAC, AUTHENTICATION, sid, ONE)
      writePads(this.mac[slot] as Buffer, this.slab.subarray(slot * SLOT + PADS, slot * SLOT + PADS + 128))
      this.have[slot] = (this.have[slot] as number) | HAS_MAC
    }
    return slot
  }

  macKey(prk: HmacKey, sid: Uint8Array): Buffer {
    return this.mac[this.withMac(prk, sid)] as Buffer
  }

  macPads(prk: HmacKey, sid: Uint8Array): HmacKey {
    return this.pads[this.withMac(prk, sid)] as HmacKey
  }
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
/** Scratch for T2 of the encryption expand, of which the IV is the first 12 bytes. */
const T2 = Buffer.alloc(32)
const T2_IV = T2.subarray(0, 12)

/** IKM = SHA-256(secret), as the reference derives it from a passphrase. */
export const ikmFromSecret = (secret: string | Uint8Array): Buffer => createHash('sha256').update(secret).digest()

/** Prepares key material: HKDF-Extract with the empty salt (RFC 5869 §2.2). */
export const keyMaterial = (ikm: Buffer): KeyMaterial => {
  const prk = createHmac('sha256', Buffer.alloc(32)).update(ikm).digest()
  return { ikm, prk, prkKey: hmacKey(prk), derived: new DerivedKeys() }
}

/** AES-256-GCM key and IV for a session id (HKDF, or PBKDF2 for remember cookies); HKDF keys are views, to use at once. */
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
  return km.derived.encryption(km.prkKey, sid)
}

/** HMAC-SHA256 key for a session id (a view: use it at once). */
export const macKey = (km: KeyMaterial, sid: Uint8Array): Buffer => km.derived.macKey(km.prkKey, sid)

/** The MAC key of a session id, prepared for `hmac` (a view: use it at once). */
export const macHmacKey = (km: KeyMaterial, sid: Uint8Array): HmacKey => km.derived.macPads(km.prkKey, sid)
