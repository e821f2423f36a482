/**
 * The 82-byte lua-resty-session 4.x cookie header (all integers unsigned
 * little-endian):
 *
 *   type 1 | flags 2 | sid 32 | creation 5 | rolling offset 4 | data size 3 |
 *   tag 16 | idling offset 3 | mac 16
 */
import * as b64 from './base64url.js'

export const HEADER_SIZE = 82
export const HEADER_ENCODED_SIZE = b64.encodedLength(HEADER_SIZE) // 110
export const SID_SIZE = 32
/** Bytes covered by the AES-GCM additional data: type .. data size. */
export const AAD_SIZE = 47
/** Bytes covered by the MAC: everything before it. */
export const MAC_INPUT_SIZE = 66

export const MAX_ROLLING_OFFSET = 2 ** 32 - 1
export const MAX_IDLING_OFFSET = 2 ** 24 - 1
export const MAX_DATA_SIZE = 2 ** 24 - 1

export const FLAG_STORAGE = 0x0001
export const FLAG_FORGET = 0x0002
export const FLAG_DEFLATE = 0x0010
export const FLAG_BIND_IP = 0x0100
export const FLAG_BIND_SCHEME = 0x0200
export const FLAG_BIND_USER_AGENT = 0x0400
export const KNOWN_FLAGS =
  FLAG_STORAGE | FLAG_FORGET | FLAG_DEFLATE | FLAG_BIND_IP | FLAG_BIND_SCHEME | FLAG_BIND_USER_AGENT

/** A parsed header. `bytes` is the exact 82 bytes the fields came from. */
export interface Header {
  readonly bytes: Buffer
  readonly flags: number
  readonly sid: Buffer
  readonly creation: number
  readonly rolling: number
  readonly size: number
  readonly tag: Buffer
  readonly idling: number
  readonly mac: Buffer
}

/** Fields a new header is built from (the tag and MAC are computed later). */
export interface HeaderFields {
  readonly flags: number
  readonly sid: Uint8Array
  readonly creation: number
  readonly rolling: number
  readonly size: number
}

/** Reads the header fields out of 82 bytes. */
export const readHeader = (bytes: Buffer): Header => ({
  bytes,
  flags: bytes.readUInt16LE(1),
  sid: bytes.subarray(3, 35),
  creation: bytes.readUIntLE(35, 5),
  rolling: bytes.readUInt32LE(40),
  size: bytes.readUIntLE(44, 3),
  tag: bytes.subarray(47, 63),
  idling: bytes.readUIntLE(63, 3),
  mac: bytes.subarray(66, 82),
})

/** Writes type .. data size into a fresh 82-byte buffer (the AAD prefix). */
export const writeHeaderPrefix = (
  flags: number,
  sid: Uint8Array,
  creation: number,
  rolling: number,
  size: number,
): Buffer => {
  const bytes = Buffer.alloc(HEADER_SIZE)
  bytes[0] = 1
  bytes.writeUInt16LE(flags, 1)
  bytes.set(sid, 3)
  bytes.writeUIntLE(creation, 35, 5)
  bytes.writeUInt32LE(rolling, 40)
  bytes.writeUIntLE(size, 44, 3)
  return bytes
}

/** Returns a copy of `bytes` with a new idling offset (the MAC still has to be recomputed). */
export const withIdling = (bytes: Buffer, idling: number): Buffer => {
  const copy = Buffer.from(bytes)
  copy.writeUIntLE(idling, 63, 3)
  return copy
}

/** Header fields the timeout policy reads, before anything is authenticated. */
/** The times a header carries: the creation time and the rolling and idling offsets, in seconds. */
export interface SessionTimes {
  readonly creation: number
  readonly rolling: number
  readonly idling: number
}

export interface PeekedHeader extends SessionTimes {
  readonly type: number
  readonly flags: number
}

const PEEK = Buffer.alloc(66)

/**
 * Reads type, flags and times from the start of a cookie value without
 * allocating buffers; undefined unless the first 110 characters are a
 * canonical base64url header (as `parseHeader` would decode it). Nothing here
 * is authenticated: it only lets a request that never reads its session skip
 * the MAC when the policy has nothing to do.
 */
export const peekHeader = (text: string): PeekedHeader | undefined => {
  if (text.length < HEADER_ENCODED_SIZE || !b64.decodeInto(text, PEEK)) return undefined
  for (let i = 88; i < HEADER_ENCODED_SIZE; i++) if (b64.charValue(text.charCodeAt(i)) < 0) return undefined
  // 82 bytes end in 2 characters: the last one carries 4 spare bits, which must be zero.
  if ((b64.charValue(text.charCodeAt(HEADER_ENCODED_SIZE - 1)) & 0b1111) !== 0) return undefined
  // The same offsets and widths as readHeader, read from the scratch buffer.
  return {
    type: PEEK[0] as number,
    flags: PEEK.readUInt16LE(1),
    creation: PEEK.readUIntLE(35, 5),
    rolling: PEEK.readUInt32LE(40),
    idling: PEEK.readUIntLE(63, 3),
  }
}
