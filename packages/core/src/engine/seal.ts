/**
 * A session sealed for saving, in either storage: under a new session id of
 * its kind (AES-GCM keys and IVs are derived from the id, so new data never
 * reuses a nonce), its creation time kept, its flags from the options and the
 * user's remember choice, and the time its store record may live.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { SessionError } from '../errors.js'
import { newSid } from '../policy/ids.js'
import { clampOffset, storeTtl } from '../policy/timeouts.js'
import { seal } from '../wire/codec.js'
import { encodeEntries } from '../wire/entries.js'
import { FLAG_FORGET, FLAG_STORAGE, MAX_ROLLING_OFFSET, readHeader } from '../wire/header.js'
import type { EngineContext } from './context.js'
import type { CookieKind } from './open-header.js'
import type { SessionImpl } from './session.js'

export const metaOf = (s: SessionImpl, kind: CookieKind) => (kind === 'session' ? s.meta : s.rememberMeta)

export const sealFor = (ctx: EngineContext, s: SessionImpl, kind: CookieKind, now: number) => {
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
    sid: newSid(ctx.random, kind, ctx.o.tagSessionIds),
    creation,
    rolling,
    plaintext,
    compressionThreshold: ctx.o.compressionThreshold,
    km: ctx.keyring.primary,
    safety: kind === 'remember' ? ctx.o.rememberSafety : undefined,
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
