/**
 * Sealing and opening of the lua-resty-session 4.x payload: AES-256-GCM with
 * the header prefix as additional data, raw DEFLATE above a threshold, and a
 * truncated HMAC-SHA256 over the header (optionally bound to the client).
 */
import { createCipheriv, createDecipheriv, createHash, timingSafeEqual } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { type InvalidCookie, invalidCookie, type TooLarge } from '../errors.js'
import * as b64 from './base64url.js'
import {
  AAD_SIZE,
  FLAG_BIND_IP,
  FLAG_BIND_SCHEME,
  FLAG_BIND_USER_AGENT,
  FLAG_DEFLATE,
  type Header,
  type HeaderFields,
  MAC_INPUT_SIZE,
  MAX_DATA_SIZE,
  withIdling,
  writeHeaderPrefix,
} from './header.js'
import { hmacSha256Into } from './hmac.js'
import { type EncryptionKey, encryptionKey, type KeyMaterial, macKey, type RememberSafety } from './keys.js'

/** The primary key material and the fallbacks that may still open older cookies. */
export interface Keyring {
  readonly primary: KeyMaterial
  readonly fallbacks: readonly KeyMaterial[]
}

/** Request values a session can be bound to (`bind` option). */
export interface Binding {
  readonly ip?: string | undefined
  readonly scheme?: string | undefined
  readonly userAgent?: string | undefined
}

const MAC_SIZE = 16
const HASH = Buffer.from('#')
// Inflated payloads larger than this are refused (a deflate bomb costs us nothing).
const MAX_INFLATED = 16 * 1024 * 1024

/**
 * The MAC input: header bytes 0..65, followed by `#` and SHA-256 of the bound
 * values joined by `|` (ip, scheme, user agent; empty ones skipped) when the
 * header's bind flags ask for it, as the bytes the request carried.
 */
const macInput = (header: Buffer, flags: number, binding: Binding): Buffer => {
  const prefix = header.subarray(0, MAC_INPUT_SIZE)
  if ((flags & (FLAG_BIND_IP | FLAG_BIND_SCHEME | FLAG_BIND_USER_AGENT)) === 0) return prefix
  const values: string[] = []
  if (flags & FLAG_BIND_IP && binding.ip) values.push(binding.ip)
  if (flags & FLAG_BIND_SCHEME && binding.scheme) values.push(binding.scheme)
  if (flags & FLAG_BIND_USER_AGENT && binding.userAgent) values.push(binding.userAgent)
  if (values.length === 0) return prefix
  return Buffer.concat([
    prefix,
    HASH,
    createHash('sha256')
      .update(boundBytes(values.join('|')))
      .digest(),
  ])
}

// Node hands header values over one char per byte received (latin1); the reference hashes those
// bytes, so they are hashed as they came, not re-encoded as UTF-8. A value with a char above U+00FF
// cannot have come that way (an app decoded it): its UTF-8 is the only byte form it has.
const boundBytes = (joined: string): Buffer => Buffer.from(joined, /[\u0100-\uffff]/.test(joined) ? 'utf8' : 'latin1')

/** Writes the header MAC, HMAC-SHA256 under the session id's MAC key truncated to 16 bytes, into `out` at `at`. */
const writeMac = (km: KeyMaterial, sid: Uint8Array, input: Buffer, out: Buffer, at: number): void =>
  hmacSha256Into(out, at, MAC_SIZE, macKey(km, sid), input)

/** The header MAC under `km`, in a buffer of its own. */
const mac = (km: KeyMaterial, sid: Uint8Array, input: Buffer): Buffer => {
  const out = Buffer.allocUnsafe(MAC_SIZE)
  writeMac(km, sid, input, out, 0)
  return out
}

/**
 * Verifies the header's MAC in constant time against the primary key, then
 * each fallback. Returns the key material that matched.
 */
export const verifyMac = (header: Header, keyring: Keyring, binding: Binding): KeyMaterial | undefined => {
  const input = macInput(header.bytes, header.flags, binding)
  if (timingSafeEqual(mac(keyring.primary, header.sid, input), header.mac)) return keyring.primary
  return keyring.fallbacks.find((km) => timingSafeEqual(mac(km, header.sid, input), header.mac))
}

/** A freshly sealed session: the 82 header bytes, their encoding, and the payload. */
export interface Sealed {
  readonly header: Buffer
  readonly headerText: string
  readonly payload: string
  readonly flags: number
}

export interface SealInput extends Omit<HeaderFields, 'size'> {
  /** The JSON text, or bytes (a string skips a copy: the cipher reads UTF-8 directly). */
  readonly plaintext: string | Buffer
  readonly compressionThreshold: number
  readonly km: KeyMaterial
  readonly safety?: RememberSafety | undefined
  /** The AES key and IV of `sid` when derived beforehand (a remember cookie's PBKDF2, off the event loop). */
  readonly encryption?: EncryptionKey | undefined
  readonly binding: Binding
}

/** Encrypts a plaintext into a new header and payload, unless it is too large for the header's 3-byte size. */
export const seal = (input: SealInput): Sealed | TooLarge => {
  let flags = input.flags & ~FLAG_DEFLATE
  let plaintext = input.plaintext
  let length = typeof plaintext === 'string' ? Buffer.byteLength(plaintext) : plaintext.length
  const threshold = input.compressionThreshold
  if (threshold !== 0 && length > threshold) {
    const deflated = deflateRawSync(plaintext)
    if (deflated.length < length) {
      plaintext = deflated
      length = deflated.length
      flags |= FLAG_DEFLATE
    }
  }
  // GCM is a stream mode: the ciphertext is exactly as long as the plaintext.
  const size = b64.encodedLength(length)
  if (size > MAX_DATA_SIZE) return { _tag: 'TooLarge', bytes: size, limit: MAX_DATA_SIZE }
  const header = writeHeaderPrefix(flags, input.sid, input.creation, input.rolling, size)
  const { key, iv } = input.encryption ?? encryptionKey(input.km, input.sid, input.safety)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(header.subarray(0, AAD_SIZE))
  // GCM is a stream mode: final() yields no bytes, only completes the tag.
  const ciphertext = typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext)
  cipher.final()
  header.set(cipher.getAuthTag(), AAD_SIZE)
  writeMac(input.km, input.sid, macInput(header, flags, input.binding), header, MAC_INPUT_SIZE)
  return { header, headerText: b64.encode(header), payload: b64.encode(ciphertext), flags }
}

/** Re-MACs a header with a new idling offset: a touch never re-encrypts. */
export const touchHeader = (header: Header, idling: number, km: KeyMaterial, binding: Binding): Buffer => {
  const bytes = withIdling(header.bytes, idling)
  writeMac(km, header.sid, macInput(bytes, header.flags, binding), bytes, MAC_INPUT_SIZE)
  return bytes
}

/** Decrypts (and inflates) a payload whose header MAC has already been verified. */
export const unseal = (
  header: Header,
  payload: string,
  km: KeyMaterial,
  safety?: RememberSafety,
): E.Either<InvalidCookie, Buffer> => {
  const ciphertext = ciphertextOf(header, payload)
  return E.isLeft(ciphertext)
    ? ciphertext
    : unsealWith(header, ciphertext.right, () => encryptionKey(km, header.sid, safety))
}

/** The ciphertext of a payload, if its length and encoding are what the header says: checked before any key is derived. */
export const ciphertextOf = (header: Header, payload: string): E.Either<InvalidCookie, Buffer> => {
  if (payload.length !== header.size) return E.left(invalidCookie('payload', 'payload length does not match header'))
  const ciphertext = b64.decode(payload)
  return ciphertext === undefined ? E.left(invalidCookie('payload', 'payload is not base64url')) : E.right(ciphertext)
}

/** Decrypts (and inflates) a ciphertext under a key and IV derived already (or by `keyOf`, at once). */
export const unsealWith = (
  header: Header,
  ciphertext: Buffer,
  keyOf: () => { readonly key: Buffer; readonly iv: Buffer },
): E.Either<InvalidCookie, Buffer> => {
  let plaintext: Buffer
  try {
    const { key, iv } = keyOf()
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAAD(header.bytes.subarray(0, AAD_SIZE))
    decipher.setAuthTag(header.tag)
    plaintext = decipher.update(ciphertext)
    decipher.final()
  } catch {
    return E.left(invalidCookie('decrypt'))
  }
  if ((header.flags & FLAG_DEFLATE) === 0) return E.right(plaintext)
  try {
    return E.right(inflateRawSync(plaintext, { maxOutputLength: MAX_INFLATED }))
  } catch {
    return E.left(invalidCookie('inflate'))
  }
}
