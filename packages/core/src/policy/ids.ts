/**
 * Session ids that say which kind of cookie they were issued for.
 *
 * lua-resty-session 4.x has no field for the kind: a session cookie and a
 * remember cookie share the header, the flags and the MAC key, and differ
 * only in how the AES key is derived (HKDF, or PBKDF2 by `rememberSafety`;
 * with `None` both are HKDF). So a session cookie sent as the remember cookie
 * runs PBKDF2 before it fails, or, with `None`, opens under the remember
 * cookie's longer timeouts.
 *
 * The id is 32 bytes the reference treats as opaque random bytes. A tagged id
 * is 16 random bytes followed by the first 16 bytes of
 * SHA-256("tessera:<kind>:" || those 16 bytes). The MAC covers the id, so a
 * client cannot change it; an id the reference issued (32 random bytes)
 * carries either tag with probability 2^-128, and is judged by the header
 * alone. The tag needs no key: it proves nothing the MAC does not already.
 */
import { hash } from 'node:crypto'
import type { RandomSource } from '../ports/ports.js'
import { SID_SIZE } from '../wire/header.js'

type CookieKind = 'session' | 'remember'

const RANDOM = 16
const TAG = SID_SIZE - RANDOM

/**
 * Per kind, the hash input: its label, then room for the id's random half,
 * filled in per call (calls are synchronous), so that the tag is one one-shot
 * `hash` with no Hash object and no concatenation.
 */
const INPUT: Readonly<Record<CookieKind, Buffer>> = {
  session: Buffer.concat([Buffer.from('tessera:session:'), Buffer.alloc(RANDOM)]),
  remember: Buffer.concat([Buffer.from('tessera:remember:'), Buffer.alloc(RANDOM)]),
}

/** The tag of `random` for `kind`, as a latin1 string of TAG chars (a digest as a string makes no Buffer). */
const tagOf = (kind: CookieKind, random: Uint8Array): string => {
  const input = INPUT[kind]
  input.set(random, input.length - RANDOM)
  return hash('sha256', input, 'binary').slice(0, TAG) // 'binary' is latin1
}

/** A new session id for a cookie of `kind`: tagged, or (with `tagged` false) plain random as the reference's. */
export const newSid = (random: RandomSource, kind: CookieKind, tagged: boolean): Uint8Array => {
  const bytes = random.bytes(SID_SIZE)
  if (!tagged) return bytes
  const sid = Buffer.from(bytes)
  sid.write(tagOf(kind, sid.subarray(0, RANDOM)), RANDOM, TAG, 'latin1')
  return sid
}

/** Whether a session id was tagged for the kind of cookie it is not being opened as. */
export const taggedOtherKind = (sid: Uint8Array, kind: CookieKind): boolean => {
  const other: CookieKind = kind === 'session' ? 'remember' : 'session'
  const bytes = Buffer.from(sid.buffer, sid.byteOffset, sid.length)
  return bytes.toString('latin1', RANDOM, SID_SIZE) === tagOf(other, bytes.subarray(0, RANDOM))
}
