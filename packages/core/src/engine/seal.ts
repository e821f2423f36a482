/**
 * A session sealed for saving, in either storage: under a new session id of
 * its kind (AES-GCM keys and IVs are derived from the id, so new data never
 * reuses a nonce), its creation time kept, its flags from the options and the
 * user's remember choice, and the time its store record may live.
 */
import { pbkdf2 } from 'node:crypto'
import { promisify } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import type { SessionError } from '../errors.js'
import { newSid } from '../policy/ids.js'
import { clampOffset, storeTtl } from '../policy/timeouts.js'
import { seal } from '../wire/codec.js'
import { encodeEntries } from '../wire/entries.js'
import { FLAG_FORGET, FLAG_STORAGE, MAX_ROLLING_OFFSET, readHeader } from '../wire/header.js'
import { type EncryptionKey, pbkdf2Iterations, pbkdf2Salt } from '../wire/keys.js'
import type { EngineContext } from './context.js'
import type { CookieKind } from './open-header.js'
import type { SessionImpl } from './session.js'

export const metaOf = (s: SessionImpl, kind: CookieKind) => (kind === 'session' ? s.meta : s.rememberMeta)

/** A new session id with its AES key and IV, derived beforehand. */
export interface PreparedId {
  readonly sid: Uint8Array
  readonly encryption: EncryptionKey
}

const pbkdf2Async = promisify(pbkdf2)

/** Whether sealing a remember cookie derives its key with PBKDF2 (any `rememberSafety` but None). */
export const rememberKeyIsSlow = (ctx: EngineContext): boolean => pbkdf2Iterations(ctx.o.rememberSafety) !== undefined

/**
 * The id and key a remember cookie is sealed under when its key is PBKDF2:
 * derived on the thread pool, so that sealing one (at login, and at every
 * reopening from it, which a client holding one can ask for) never holds the
 * event loop. Undefined when the key is HKDF, cheap enough to derive in place.
 */
export const prepareRemember = async (ctx: EngineContext): Promise<PreparedId | undefined> => {
  const iterations = pbkdf2Iterations(ctx.o.rememberSafety)
  if (iterations === undefined) return undefined
  const sid = newSid(ctx.random, 'remember', ctx.o.tagSessionIds)
  const bytes = await pbkdf2Async(ctx.keyring.primary.ikm, pbkdf2Salt(sid), iterations, 44, 'sha256')
  return { sid, encryption: { key: bytes.subarray(0, 32), iv: bytes.subarray(32, 44) } }
}

/** Seals a session's cookie of `kind` under a new id (`prepared`: one whose key was derived beforehand). */
export const sealFor = (ctx: EngineContext, s: SessionImpl, kind: CookieKind, now: number, prepared?: PreparedId) => {
  const meta = metaOf(s, kind)
  const creation = meta?.header.creation ?? now
  const rolling = meta === undefined ? 0 : clampOffset(now - creation, MAX_ROLLING_OFFSET)
  let flags = ctx.o.bindFlags | (ctx.server ? FLAG_STORAGE : 0)
  if (
    s.rememberChoice === false ||
    (s.rememberChoice === undefined && ((s.meta?.header.flags ?? 0) & FLAG_FORGET) !== 0)
  ) {
    flags |= FLAG_FORGET
  }
  if (ctx.o.enforceSameSubject && s.entries.length > 1) {
    const subject = s.entry.subject
    const current = s.entry
    s.entries = s.entries.filter((e) => e.subject === subject)
    s.index = s.entries.indexOf(current)
  }
  const encoded = encodeEntries(s.entries, ctx.o.schemas)
  if (E.isLeft(encoded)) return encoded
  const plaintext = encoded.right
  const sealed = seal({
    flags,
    sid: prepared?.sid ?? newSid(ctx.random, kind, ctx.o.tagSessionIds),
    creation,
    rolling,
    plaintext,
    compressionThreshold: ctx.o.compressionThreshold,
    km: ctx.keyring.primary,
    safety: kind === 'remember' ? ctx.o.rememberSafety : undefined,
    encryption: prepared?.encryption,
    binding: s.binding,
  })
  // More data than the header's 3-byte size can describe (~12 MiB of JSON): a typed error, not a RangeError.
  if ('_tag' in sealed) return E.left<SessionError>(sealed)
  const [rollingTimeout, absoluteTimeout] =
    kind === 'session'
      ? [ctx.o.rollingTimeout, ctx.o.absoluteTimeout]
      : [ctx.o.rememberRollingTimeout, ctx.o.rememberAbsoluteTimeout]
  return E.right({
    sealed,
    plaintext,
    header: readHeader(sealed.header),
    ttl: storeTtl(creation, rolling, rollingTimeout, absoluteTimeout, now),
  })
}
