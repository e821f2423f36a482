// The floor: lua-resty-session 4.x cookie storage with nothing but node:crypto.
// No bind flags, no deflate (the bench payloads are far below the 1024-byte
// threshold), no chunking, no remember cookie. Checks what a decoder must check
// (type, MAC in constant time, size, idling/rolling/absolute timeouts, GCM tag),
// skips the strict base64url canonicality check that Tessera adds.
// Used by codec.bench.ts (codec against codec) and http.bench.ts (as inline middleware).

import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { systemRandom } from '@tessera/core/internal'

const HEADER_SIZE = 82
export const HEADER_TEXT = 110
const AAD_SIZE = 47
export const MAC_INPUT = 66
const ONE = Buffer.of(1)
const TWO = Buffer.of(2)

export interface Floor {
  /** A new cookie for `data` under session id `sid`: the whole Set-Cookie line. */
  readonly encode: (data: Record<string, unknown>, sid: Buffer, now: number) => string
  /** The audience's data in a cookie value; throws on anything a decoder must reject. */
  readonly decode: (value: string, now: number) => Record<string, unknown>
  /** A touch: authenticate, write the new idling offset, re-MAC; the payload is passed through. */
  readonly touch: (value: string, now: number) => string
}

export interface FloorOptions {
  readonly name?: string
  readonly audience?: string
  readonly timeouts?: { readonly idling: number; readonly rolling: number; readonly absolute: number }
}

/** The same pooled random source Tessera uses by default, so both sides pay the same for session ids. */
export const pooledRandom = (): { bytes: (n: number) => Buffer } => {
  const random = systemRandom()
  return { bytes: (n) => Buffer.from(random.bytes(n)) }
}

/** `attributes` is what follows the value in Set-Cookie, e.g. `; Path=/; SameSite=Lax; HttpOnly`. */
export const createFloor = (secret: string, attributes: string, options: FloorOptions = {}): Floor => {
  const name = options.name ?? 'session'
  const audience = options.audience ?? 'default'
  const timeouts = options.timeouts ?? { idling: 900, rolling: 3600, absolute: 86400 }
  // HKDF-Extract, empty salt, once per secret.
  const prk = createHmac('sha256', Buffer.alloc(32)).update(createHash('sha256').update(secret).digest()).digest()
  // Scratch info buffers: the usage prefix stays, the SID is copied in per call.
  const encInfo = Buffer.alloc(11 + 32)
  encInfo.write('encryption:')
  const authInfo = Buffer.alloc(15 + 32)
  authInfo.write('authentication:')

  // HKDF-Expand: 44 bytes (key 32 + iv 12) for encryption, 32 for the MAC key.
  const encKeyIv = (sid: Buffer): [Buffer, Buffer] => {
    sid.copy(encInfo, 11)
    const t1 = createHmac('sha256', prk).update(encInfo).update(ONE).digest()
    const t2 = createHmac('sha256', prk).update(t1).update(encInfo).update(TWO).digest()
    return [t1, t2.subarray(0, 12)]
  }
  const mac = (sid: Buffer, header: Buffer): Buffer => {
    sid.copy(authInfo, 15)
    const key = createHmac('sha256', prk).update(authInfo).update(ONE).digest()
    return createHmac('sha256', key).update(header.subarray(0, MAC_INPUT)).digest().subarray(0, 16)
  }

  const encode = (data: Record<string, unknown>, sid: Buffer, now: number): string => {
    const plaintext = Buffer.from(JSON.stringify([[data, audience]]))
    const header = Buffer.alloc(HEADER_SIZE)
    header[0] = 1
    sid.copy(header, 3)
    header.writeUIntLE(now, 35, 5)
    header.writeUIntLE(Math.ceil((plaintext.length * 4) / 3), 44, 3)
    const [key, iv] = encKeyIv(sid)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    cipher.setAAD(header.subarray(0, AAD_SIZE))
    const ciphertext = cipher.update(plaintext)
    cipher.final()
    cipher.getAuthTag().copy(header, AAD_SIZE)
    mac(sid, header).copy(header, MAC_INPUT)
    return `${name}=${header.toString('base64url')}${ciphertext.toString('base64url')}${attributes}`
  }

  const authenticate = (value: string, now: number): Buffer => {
    if (value.length < HEADER_TEXT) throw new Error('short cookie')
    const header = Buffer.from(value.slice(0, HEADER_TEXT), 'base64url')
    if (header.length !== HEADER_SIZE || header[0] !== 1 || header.readUInt16LE(1) !== 0) throw new Error('header')
    if (!timingSafeEqual(mac(header.subarray(3, 35), header), header.subarray(MAC_INPUT))) throw new Error('mac')
    const creation = header.readUIntLE(35, 5)
    const rolling = header.readUInt32LE(40)
    const idling = header.readUIntLE(63, 3)
    if (creation > now + 60) throw new Error('future')
    if (now - creation > timeouts.absolute) throw new Error('absolute')
    if (now - creation - rolling > timeouts.rolling) throw new Error('rolling')
    if (now - creation - rolling - idling > timeouts.idling) throw new Error('idling')
    return header
  }

  const decode = (value: string, now: number): Record<string, unknown> => {
    const header = authenticate(value, now)
    const payload = value.slice(HEADER_TEXT)
    if (payload.length !== header.readUIntLE(44, 3)) throw new Error('size')
    const [key, iv] = encKeyIv(header.subarray(3, 35))
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAAD(header.subarray(0, AAD_SIZE))
    decipher.setAuthTag(header.subarray(AAD_SIZE, 63))
    const plaintext = decipher.update(Buffer.from(payload, 'base64url'))
    decipher.final()
    const entries = JSON.parse(plaintext.toString()) as [Record<string, unknown>, string][]
    const entry = entries.find((e) => e[1] === audience)
    if (entry === undefined) throw new Error('audience')
    return entry[0]
  }

  const touch = (value: string, now: number): string => {
    const header = authenticate(value, now)
    header.writeUIntLE(Math.max(0, now - header.readUIntLE(35, 5) - header.readUInt32LE(40)), 63, 3)
    mac(header.subarray(3, 35), header).copy(header, MAC_INPUT)
    return `${name}=${header.toString('base64url')}${value.slice(HEADER_TEXT)}${attributes}`
  }

  return { encode, decode, touch }
}
