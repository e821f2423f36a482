/**
 * HMAC-SHA256 (RFC 2104) as two one-shot SHA-256 calls over pads computed
 * once per key, writing the digest into place. Written by hand because it is
 * the hottest call of the codec: `createHmac` builds an object, redoes the key
 * pads and allocates a Buffer on every call; this allocates none (see
 * docs/decisions.md). Property-tested against `createHmac`.
 */
import { hash } from 'node:crypto'

const BLOCK = 64
const DIGEST = 32

/** A key's inner and outer pads (key XOR 0x36.., key XOR 0x5c..). */
export interface HmacKey {
  readonly inner: Buffer
  readonly outer: Buffer
}

/** Writes a key's inner then outer pad (128 bytes) into `target`. */
export const writePads = (key: Uint8Array, target: Uint8Array): void => {
  if (key.length > BLOCK) throw new RangeError('HMAC keys longer than the SHA-256 block are not used here')
  for (let i = 0; i < BLOCK; i++) {
    const byte = i < key.length ? (key[i] as number) : 0
    target[i] = byte ^ 0x36
    target[BLOCK + i] = byte ^ 0x5c
  }
}

/** Prepares a key of at most 64 bytes (all of ours are 32). */
export const hmacKey = (key: Uint8Array): HmacKey => {
  const pads = Buffer.alloc(2 * BLOCK)
  writePads(key, pads)
  return { inner: pads.subarray(0, BLOCK), outer: pads.subarray(BLOCK) }
}

const put = (buf: Buffer, part: Uint8Array, at: number): number => {
  buf.set(part, at)
  return at + part.length
}

// Calls are synchronous, so one scratch buffer serves them all, through one view per length
// (a view per call was a measurable share of the cost).
const SCRATCH = Buffer.allocUnsafe(BLOCK + 256)
const VIEWS: Buffer[] = []
const scratch = (n: number): Buffer => {
  if (n > SCRATCH.length) return Buffer.allocUnsafe(n)
  let v = VIEWS[n]
  if (v === undefined) {
    v = SCRATCH.subarray(0, n)
    VIEWS[n] = v
  }
  return v
}

/**
 * Writes HMAC-SHA256 of the concatenation of the parts into `out` at `at`.
 * The digests come back as binary strings written into place: no Buffer is
 * allocated per call.
 */
export const hmacInto = (
  k: HmacKey,
  out: Buffer,
  at: number,
  a: Uint8Array,
  b?: Uint8Array,
  c?: Uint8Array,
  d?: Uint8Array,
): void => {
  const n = BLOCK + a.length + (b?.length ?? 0) + (c?.length ?? 0) + (d?.length ?? 0)
  const buf = scratch(n)
  buf.set(k.inner, 0)
  let p = put(buf, a, BLOCK)
  if (b !== undefined) p = put(buf, b, p)
  if (c !== undefined) p = put(buf, c, p)
  if (d !== undefined) put(buf, d, p)
  const inner = hash('sha256', buf, 'binary')
  const outer = scratch(BLOCK + DIGEST)
  outer.set(k.outer, 0)
  outer.write(inner, BLOCK, DIGEST, 'latin1')
  out.write(hash('sha256', outer, 'binary'), at, DIGEST, 'latin1')
}
