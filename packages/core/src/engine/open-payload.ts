/**
 * Opening's last step: an authenticated payload decrypted (a remember
 * cookie's PBKDF2 key on the thread pool, bounded), decoded and checked into
 * the opened session.
 */

import * as E from 'fp-ts/lib/Either.js'
import { invalidCookie, type SessionError } from '../errors.js'
import { ciphertextOf, unseal, unsealWith } from '../wire/codec.js'
import { decodeEntries, type Entry } from '../wire/entries.js'
import { pbkdf2Iterations, pbkdf2Salt } from '../wire/keys.js'
import { type EngineContext, nowSeconds } from './context.js'
import type { CookieKind } from './open-header.js'
import type { Payload } from './record.js'
import type { CookieMeta } from './session.js'

/** A cookie that opened: its meta and its decrypted entries. */
export interface Opened {
  readonly meta: CookieMeta
  readonly entries: Entry[]
  readonly info: Map<string, Record<string, unknown>> | undefined
  /** Server mode: true when the cookie had been rotated away and its successor was served. */
  readonly followed: boolean
}

/**
 * A remember cookie's key is PBKDF2, slow on purpose, and it is derived only
 * once a value's MAC holds: after one value got that far and failed, no other
 * is tried, so duplicates cannot multiply that work within one request.
 */
export const spentSlowKey = (kind: CookieKind, error: SessionError): boolean =>
  kind === 'remember' &&
  error._tag === 'InvalidCookie' &&
  (error.reason === 'decrypt' ||
    error.reason === 'inflate' ||
    error.reason === 'json' ||
    error.reason === 'data' ||
    error.reason === 'busy')

const BUSY = invalidCookie('busy', 'too many remember-cookie keys being derived; not tried')

// PBKDF2 failed on the thread pool (the server's fault, not the cookie's): told apart from a payload AES-GCM refuses.
const NOT_DERIVED = invalidCookie('decrypt', 'its key could not be derived')

/**
 * Decrypts a remember cookie's payload. Its PBKDF2 key is derived on the
 * thread pool, within the bounds of slow-keys.ts: past them the cookie is not
 * tried (`busy`). The payload's length and encoding are checked first, so a
 * malformed one costs no key.
 */
export const decryptRemember = async (
  ctx: EngineContext,
  p: Payload,
  client: string | undefined,
): Promise<E.Either<SessionError, Opened>> => {
  const iterations = pbkdf2Iterations(ctx.o.rememberSafety)
  if (iterations === undefined) return decrypt(ctx, p, 'remember')
  const ciphertext = ciphertextOf(p.header, p.ct)
  if (E.isLeft(ciphertext)) return ciphertext
  const deriving = ctx.slowKeys.derive(client, p.km.ikm, pbkdf2Salt(p.header.sid), iterations, 44)
  if (deriving === undefined) return E.left(BUSY)
  const bytes = await deriving
  if (bytes === undefined) return E.left(NOT_DERIVED)
  const plaintext = unsealWith(p.header, ciphertext.right, () => ({
    key: bytes.subarray(0, 32),
    iv: bytes.subarray(32, 44),
  }))
  return E.isLeft(plaintext) ? plaintext : opened(ctx, p, plaintext.right.toString('utf8'))
}

/**
 * Decrypts and decodes a payload into the opened session. With `sent`, the
 * cookie as the request sent it is offered to the recent-cookie table (with,
 * in server storage, the record ciphertext it opened).
 */
export const decrypt = (
  ctx: EngineContext,
  p: Payload,
  kind: CookieKind,
  sent?: { readonly value: string; readonly whole: boolean; readonly ct?: string },
): E.Either<SessionError, Opened> => {
  const plaintext = unseal(p.header, p.ct, p.km, kind === 'remember' ? ctx.o.rememberSafety : undefined)
  if (E.isLeft(plaintext)) return plaintext
  const text = plaintext.right.toString('utf8')
  if (sent !== undefined) {
    const primary = p.km === ctx.keyring.primary
    ctx.recent.keep({ kind, flags: p.header.flags, primary, plaintext: text, ...sent }, nowSeconds(ctx))
  }
  return opened(ctx, p, text)
}

/** The opened session from a payload's decrypted text. */
export const opened = (ctx: EngineContext, p: Payload, plaintext: string): E.Either<SessionError, Opened> => {
  const entries = decodeEntries(plaintext, ctx.o.schemas)
  if (E.isLeft(entries)) return entries
  return E.right({
    meta: {
      header: p.header,
      headerText: p.headerText,
      km: p.km,
      firstChunk: p.firstChunk,
      key: p.key,
      record: p.record,
    },
    entries: entries.right,
    info: p.info,
    followed: p.followed,
  })
}
