/**
 * Opening a cookie: header, MAC (first, in constant time), timeouts, then the
 * payload from the cookie chunks or the store, then revocation marks.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as b64 from './base64url.js'
import { type Binding, unseal, verifyMac } from './codec.js'
import { anyAudienceRef, type EngineContext, nowSeconds, storageKey, subjectRef } from './context.js'
import { joinChunks } from './cookies.js'
import { decodeEntries, type Entry } from './entries.js'
import { expired, invalidCookie, missingCookie, revoked, type SessionError } from './errors.js'
import {
  FLAG_STORAGE,
  HEADER_ENCODED_SIZE,
  HEADER_SIZE,
  type Header,
  KNOWN_FLAGS,
  MAX_ROLLING_OFFSET,
  readHeader,
} from './header.js'
import { decide } from './policy.js'
import type { SessionRecord } from './ports.js'
import type { CookieMeta } from './session.js'

export type CookieKind = 'session' | 'remember'

/** A cookie that opened: its meta and its decrypted entries. */
export interface Opened {
  readonly meta: CookieMeta
  readonly entries: Entry[]
  readonly info: Map<string, Record<string, unknown>> | undefined
  /** Server mode: true when the cookie had been rotated away and its successor was served. */
  readonly followed: boolean
}

// A stale cookie is followed through at most this many rotations to the live record: a chain only
// grows this long when many saves of one session land within staleTtl (each adds one link).
const MAX_SUCCESSORS = 64

/** Parses and authenticates a 110-char header. Structural checks first; then the MAC. */
export const authenticate = (
  ctx: EngineContext,
  headerText: string,
  binding: Binding,
): E.Either<SessionError, { header: Header; km: CookieMeta['km'] }> => {
  if (headerText.length !== HEADER_ENCODED_SIZE) return E.left(invalidCookie('header', 'too short'))
  const bytes = b64.decode(headerText)
  if (bytes === undefined || bytes.length !== HEADER_SIZE) return E.left(invalidCookie('header', 'not base64url'))
  const header = readHeader(bytes)
  if (bytes[0] !== 1) return E.left(invalidCookie('type'))
  if ((header.flags & ~KNOWN_FLAGS) !== 0) return E.left(invalidCookie('flags', 'unknown flag bits'))
  if (((header.flags & FLAG_STORAGE) !== 0) !== ctx.server)
    return E.left(invalidCookie('flags', 'storage mode mismatch'))
  const km = verifyMac(header, ctx.keyring, binding)
  if (km === undefined) return E.left(invalidCookie('mac'))
  return E.right({ header, km })
}

/** Applies the timeout policy to an authenticated header. */
export const checkTimes = (
  ctx: EngineContext,
  header: Header,
  kind: CookieKind,
  now: number,
): E.Either<SessionError, Header> => {
  const o = ctx.o
  const remember = kind === 'remember'
  if (remember && header.idling !== 0) return E.left(invalidCookie('header', 'remember cookie with idling offset'))
  if (now - header.creation > MAX_ROLLING_OFFSET) return E.left(expired('absolute', remember))
  const decision = decide(
    header,
    remember
      ? {
          idlingTimeout: 0,
          rollingTimeout: o.rememberRollingTimeout,
          absoluteTimeout: o.rememberAbsoluteTimeout,
          touchThreshold: 0,
          clockSkew: o.clockSkew,
        }
      : o,
    now,
  )
  if (decision._tag === 'Future') return E.left(invalidCookie('future', 'creation time is in the future'))
  if (decision._tag === 'Reject') return E.left(expired(decision.timeout, remember))
  return E.right(header)
}

/** Parses the reference's record value `[ct]` or `[ct, b64url(info json)]`. */
export const parseRecordValue = (
  value: string,
): E.Either<SessionError, { ct: string; info: Map<string, Record<string, unknown>> | undefined }> => {
  try {
    const parsed: unknown = JSON.parse(value)
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string')
      return E.left(invalidCookie('record', 'malformed record'))
    if (typeof parsed[1] !== 'string') return E.right({ ct: parsed[0], info: undefined })
    const raw = b64.decode(parsed[1])
    const info: unknown = raw === undefined ? undefined : JSON.parse(raw.toString('utf8'))
    if (typeof info !== 'object' || info === null || Array.isArray(info))
      return E.left(invalidCookie('record', 'malformed info'))
    const map = new Map<string, Record<string, unknown>>()
    for (const [aud, v] of Object.entries(info))
      if (typeof v === 'object' && v !== null) map.set(aud, v as Record<string, unknown>)
    return E.right({ ct: parsed[0], info: map })
  } catch {
    return E.left(invalidCookie('record', 'malformed record'))
  }
}

export interface Payload {
  readonly header: Header
  readonly headerText: string
  readonly km: CookieMeta['km']
  readonly ct: string
  readonly firstChunk: string
  readonly key: string | undefined
  readonly record: SessionRecord | undefined
  readonly info: Map<string, Record<string, unknown>> | undefined
  readonly followed: boolean
}

/** Reads the record of a server-side session, following rotations to the live one. */
export const readRecord = (
  ctx: EngineContext,
  name: string,
  start: { header: Header; headerText: string; km: CookieMeta['km'] },
  binding: Binding,
  now: number,
): TE.TaskEither<SessionError, Payload> => {
  const store = ctx.store
  if (store === undefined) return TE.left(invalidCookie('record', 'no store configured'))
  const step = (cur: typeof start, hops: number): TE.TaskEither<SessionError, Payload> => {
    const key = storageKey(ctx, cur.header.sid)
    return pipe(
      store.read(name, key, now),
      TE.flatMap((record): TE.TaskEither<SessionError, Payload> => {
        if (record === null) return TE.left(invalidCookie('record', 'no such session'))
        if (record.successor !== null) {
          if (hops >= MAX_SUCCESSORS) return TE.left(invalidCookie('record', 'too many rotations'))
          return pipe(
            TE.fromEither(authenticate(ctx, record.successor, binding)),
            TE.flatMap((next) => step({ ...next, headerText: record.successor as string }, hops + 1)),
          )
        }
        return pipe(
          TE.fromEither(parseRecordValue(record.value)),
          TE.map(({ ct, info }) => ({ ...cur, ct, firstChunk: '', key, record, info, followed: hops > 0 })),
        )
      }),
    )
  }
  return step(start, 0)
}

/** Cookie-mode revocation: the SID denylist and the subject's not-before mark. */
const checkRevocation = (
  ctx: EngineContext,
  name: string,
  opened: Opened,
  audience: string,
  now: number,
): TE.TaskEither<SessionError, Opened> => {
  const store = ctx.store
  if (ctx.server || store === undefined) return TE.right(opened)
  const header = opened.meta.header
  const entry = opened.entries.find((e) => e.audience === audience)
  const refs =
    entry?.subject === undefined ? [] : [subjectRef(ctx, audience, entry.subject), anyAudienceRef(ctx, entry.subject)]
  const issuedAt = header.creation + header.rolling
  const check = pipe(
    TE.Do,
    TE.apS('denied', store.isDenied(name, storageKey(ctx, header.sid), now)),
    TE.apS('notBefore', refs.length === 0 ? TE.right(null) : store.getNotBefore(name, refs, now)),
  )
  return pipe(
    check,
    TE.orElseW((e) =>
      ctx.o.revocationFailMode === 'open' ? TE.right({ denied: false, notBefore: null }) : TE.left(e),
    ),
    TE.flatMap(({ denied, notBefore }): TE.TaskEither<SessionError, Opened> => {
      if (denied) return TE.left(revoked('logout'))
      if (notBefore !== null && issuedAt < notBefore) return TE.left(revoked('invalidated'))
      return TE.right(opened)
    }),
  )
}

/** Opens the session or remember cookie of a request, for the configured audience. */
export const openCookie = (
  ctx: EngineContext,
  kind: CookieKind,
  cookies: ReadonlyMap<string, string>,
  binding: Binding,
  audience: string,
): TE.TaskEither<SessionError, Opened> => {
  const name = kind === 'session' ? ctx.o.cookie.name : ctx.o.cookie.rememberName
  const value = cookies.get(name)
  if (value === undefined || value === '') return TE.left(missingCookie)
  const now = nowSeconds(ctx)
  const headerText = value.slice(0, HEADER_ENCODED_SIZE)
  const authenticated = pipe(
    authenticate(ctx, headerText, binding),
    E.flatMap((a) => E.map(() => ({ ...a, headerText }))(checkTimes(ctx, a.header, kind, now))),
  )
  const payload: TE.TaskEither<SessionError, Payload> = pipe(
    TE.fromEither(authenticated),
    TE.flatMap((a) => {
      if (ctx.server) return readRecord(ctx, name, a, binding, now)
      const firstChunk = value.slice(HEADER_ENCODED_SIZE)
      const joined = joinChunks(cookies, name, firstChunk, a.header.size)
      if (joined === undefined) return TE.left(invalidCookie('chunk', 'payload chunks missing or mismatched'))
      return TE.right({
        ...a,
        ct: joined.payload,
        firstChunk,
        key: undefined,
        record: undefined,
        info: undefined,
        followed: false,
      })
    }),
  )
  return pipe(
    payload,
    TE.flatMap((p) => decrypt(ctx, p, kind)),
    TE.flatMap((opened) => checkRevocation(ctx, name, opened, audience, now)),
  )
}

/** Decrypts and decodes a payload into the opened session. */
export const decrypt = (ctx: EngineContext, p: Payload, kind: CookieKind): TE.TaskEither<SessionError, Opened> =>
  pipe(
    TE.fromEither(unseal(p.header, p.ct, p.km, kind === 'remember' ? ctx.o.rememberSafety : undefined)),
    TE.flatMapEither((plaintext) => decodeEntries(plaintext, ctx.o.schemas)),
    TE.map(
      (entries): Opened => ({
        meta: {
          header: p.header,
          headerText: p.headerText,
          km: p.km,
          firstChunk: p.firstChunk,
          key: p.key,
          record: p.record,
        },
        entries,
        info: p.info,
        followed: p.followed,
      }),
    ),
  )
