/**
 * Opening a cookie: header, MAC (first, in constant time), timeouts, then the
 * payload from the cookie chunks or the store, then revocation marks.
 *
 * This is the request hot path, so it is written as plain (async) functions
 * returning Either rather than TaskEither pipelines: the benchmark showed the
 * pipeline plumbing costing more than the cryptography. The engine exposes
 * TaskEither at its surface.
 */
import * as E from 'fp-ts/lib/Either.js'
import { expired, invalidCookie, isRejection, missingCookie, type SessionError } from '../errors.js'
import { taggedOtherKind } from '../policy/ids.js'
import { type Decision, decide, KEEP, type SessionTimes } from '../policy/timeouts.js'
import type { SessionRecord } from '../ports/records.js'
import * as b64 from '../wire/base64url.js'
import { type Binding, ciphertextOf, unseal, unsealWith, verifyMac } from '../wire/codec.js'
import { chunkName, fitsCookieLine, joinChunks, MAX_CHUNKS, type RequestCookies } from '../wire/cookies.js'
import { decodeEntries, type Entry } from '../wire/entries.js'
import {
  FLAG_FORGET,
  FLAG_STORAGE,
  HEADER_ENCODED_SIZE,
  HEADER_SIZE,
  type Header,
  KNOWN_FLAGS,
  MAX_ROLLING_OFFSET,
  readHeader,
} from '../wire/header.js'
import { pbkdf2Iterations, pbkdf2Salt } from '../wire/keys.js'
import { cookieName, type EngineContext, nowSeconds, storageKey } from './context.js'
import { marksOf, verdict } from './revocation.js'
import type { CookieMeta, SessionImpl } from './session.js'

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

/** Parses a 110-char header and checks its structure (type, flags, storage mode); not yet its MAC. */
export const parseHeader = (ctx: EngineContext, headerText: string): E.Either<SessionError, Header> => {
  if (headerText.length !== HEADER_ENCODED_SIZE) return E.left(invalidCookie('header', 'too short'))
  const bytes = b64.decode(headerText)
  if (bytes === undefined || bytes.length !== HEADER_SIZE) return E.left(invalidCookie('header', 'not base64url'))
  const header = readHeader(bytes)
  const fault = headerFault(ctx, bytes[0] as number, header.flags)
  return fault === undefined ? E.right(header) : E.left(fault)
}

/** What is structurally wrong with a header's type and flags for this engine, if anything. */
export const headerFault = (ctx: EngineContext, type: number, flags: number): SessionError | undefined => {
  if (type !== 1) return invalidCookie('type')
  if ((flags & ~KNOWN_FLAGS) !== 0) return invalidCookie('flags', 'unknown flag bits')
  if (((flags & FLAG_STORAGE) !== 0) !== ctx.server) return invalidCookie('flags', 'storage mode mismatch')
  // The options decide the binding, not the cookie: one issued before `bind` was on is refused.
  if ((flags & ctx.o.bindFlags) !== ctx.o.bindFlags) return invalidCookie('flags', 'not bound as the options say')
  return undefined
}

/** Verifies a parsed header's MAC in constant time, against the primary secret and then the fallbacks. */
export const verify = (
  ctx: EngineContext,
  header: Header,
  binding: Binding,
): E.Either<SessionError, { header: Header; km: CookieMeta['km'] }> => {
  const km = verifyMac(header, ctx.keyring, binding)
  return km === undefined ? E.left(invalidCookie('mac')) : E.right({ header, km })
}

/** Parses and authenticates a 110-char header. Structural checks first; then the MAC. */
export const authenticate = (
  ctx: EngineContext,
  headerText: string,
  binding: Binding,
): E.Either<SessionError, { header: Header; km: CookieMeta['km'] }> => {
  const header = parseHeader(ctx, headerText)
  return E.isLeft(header) ? header : verify(ctx, header.right, binding)
}

const KEPT: E.Either<SessionError, Decision> = E.right(KEEP)

/**
 * The policy on a header's times: Left when they reject the cookie, else the
 * decision (keep, touch, rotate). A keep is the shared `KEPT`.
 */
export const timesDecision = (
  ctx: EngineContext,
  t: SessionTimes,
  kind: CookieKind,
  now: number,
): E.Either<SessionError, Decision> => {
  const o = ctx.o
  const remember = kind === 'remember'
  if (remember && t.idling !== 0) return E.left(invalidCookie('header', 'remember cookie with idling offset'))
  if (now - t.creation > MAX_ROLLING_OFFSET) return E.left(expired('absolute', remember))
  const decision = decide(t, remember ? rememberTimeouts(o) : o, now)
  if (decision._tag === 'Future') return E.left(invalidCookie('future', 'creation time is in the future'))
  if (decision._tag === 'Reject') return E.left(expired(decision.timeout, remember))
  return decision === KEEP ? KEPT : E.right(decision)
}

/** The timeouts a remember cookie lives by: no idle timeout, the remember rolling and absolute ones. */
export const rememberTimeouts = (o: EngineContext['o']) => ({
  idlingTimeout: 0,
  rollingTimeout: o.rememberRollingTimeout,
  absoluteTimeout: o.rememberAbsoluteTimeout,
  touchThreshold: 0,
  clockSkew: o.clockSkew,
})

type Info = Map<string, Record<string, unknown>>

/** Parses the reference's record value `[ct]` or `[ct, b64url(info json)]`. */
export const parseRecordValue = (value: string): E.Either<SessionError, { ct: string; info: Info | undefined }> => {
  try {
    const parsed: unknown = JSON.parse(value)
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string')
      return E.left(invalidCookie('record', 'malformed record'))
    if (typeof parsed[1] !== 'string') return E.right({ ct: parsed[0], info: undefined })
    const raw = b64.decode(parsed[1])
    const info: unknown = raw === undefined ? undefined : JSON.parse(raw.toString('utf8'))
    if (typeof info !== 'object' || info === null || Array.isArray(info)) {
      return E.left(invalidCookie('record', 'malformed info'))
    }
    const map: Info = new Map()
    for (const [aud, v] of Object.entries(info)) {
      if (typeof v === 'object' && v !== null) map.set(aud, v as Record<string, unknown>)
    }
    return E.right({ ct: parsed[0], info: map })
  } catch {
    return E.left(invalidCookie('record', 'malformed record'))
  }
}

/** An authenticated cookie and its still-encrypted payload. */
export interface Payload {
  readonly header: Header
  readonly headerText: string
  readonly km: CookieMeta['km']
  readonly ct: string
  readonly firstChunk: string
  readonly key: string | undefined
  readonly record: SessionRecord | undefined
  readonly info: Info | undefined
  readonly followed: boolean
}

type Authenticated = { readonly header: Header; readonly headerText: string; readonly km: CookieMeta['km'] }

const payloadOf = (
  a: Authenticated,
  ct: string,
  firstChunk: string,
  key: string | undefined,
  record: SessionRecord | undefined,
  info: Info | undefined,
  followed: boolean,
): Payload => ({ header: a.header, headerText: a.headerText, km: a.km, ct, firstChunk, key, record, info, followed })

/** Reads the record of a server-side session, following rotations to the live one. */
export const readRecord = async (
  ctx: EngineContext,
  name: string,
  start: Authenticated,
  binding: Binding,
  now: number,
): Promise<E.Either<SessionError, Payload>> => {
  const store = ctx.records
  if (store === undefined) return E.left(invalidCookie('record', 'no store configured'))
  let cur = start
  for (let hops = 0; hops <= MAX_SUCCESSORS; hops++) {
    const key = storageKey(ctx, cur.header.sid)
    const read = await store.read(name, key, now)()
    if (E.isLeft(read)) return read
    const record = read.right
    if (record === null) return E.left(invalidCookie('record', 'no such session'))
    if (record.successor === null) {
      const value = parseRecordValue(record.value)
      if (E.isLeft(value)) return value
      const { ct, info } = value.right
      return E.right(payloadOf(cur, ct, '', key, record, info, hops > 0))
    }
    const next = authenticate(ctx, record.successor, binding)
    if (E.isLeft(next)) return next
    cur = { header: next.right.header, km: next.right.km, headerText: record.successor }
  }
  return E.left(invalidCookie('record', 'too many rotations'))
}

/** Cookie-mode revocation: the id and chain denylist and the subject's not-before mark. */
const checkRevocation = async (
  ctx: EngineContext,
  name: string,
  opened: Opened,
  audience: string,
  now: number,
): Promise<E.Either<SessionError, Opened>> => {
  const header = opened.meta.header
  const subject = opened.entries.find((e) => e.audience === audience)?.subject
  const marks = await marksOf(ctx, name, header, subject, audience, now)
  if (E.isLeft(marks)) return marks
  const ended = verdict(header, marks.right)
  if (ended === undefined) return E.right(opened)
  ctx.recent.forget(opened.meta.headerText + opened.meta.firstChunk)
  return E.left(ended)
}

/** Drops what the recent-cookie table holds of a session whose cookies end: the one it was opened with, and its own. */
export const forgetRecent = (ctx: EngineContext, s: SessionImpl): void => {
  const sent = s.requestCookies.get(ctx.o.cookie.name)
  if (sent !== undefined) ctx.recent.forget(sent)
  const meta = s.meta
  if (meta !== undefined) ctx.recent.forget(meta.headerText + (ctx.server ? '' : meta.firstChunk))
}

const TOO_LARGE = invalidCookie('size', 'larger than a browser sends')

/** The cookie's header, authenticated and within its timeouts; `value` is the whole first cookie. */
const authenticCookie = (
  ctx: EngineContext,
  kind: CookieKind,
  name: string,
  value: string | undefined,
  binding: Binding,
  now: number,
): E.Either<SessionError, Authenticated> => {
  if (value === undefined || value === '') return E.left(missingCookie)
  if (!fitsCookieLine(name, value)) return E.left(TOO_LARGE)
  const headerText = value.slice(0, HEADER_ENCODED_SIZE)
  const authenticated = authenticate(ctx, headerText, binding)
  if (E.isLeft(authenticated)) return authenticated
  const header = authenticated.right.header
  const wrongKind = kindFault(header, kind)
  if (wrongKind !== undefined) return E.left(wrongKind)
  return withinTimes(ctx, header, authenticated.right.km, headerText, kind, now)
}

/**
 * Why an authenticated header is not of the kind it was sent as, if the
 * header can tell (see ids.ts): its id was tagged for the other kind, or it
 * says "forget", which no remember cookie says. Checked before any key is
 * derived from it.
 */
export const kindFault = (header: Header, kind: CookieKind): SessionError | undefined => {
  if (kind === 'remember' && (header.flags & FLAG_FORGET) !== 0)
    return invalidCookie('kind', 'a session cookie (it says forget) sent as the remember cookie')
  if (taggedOtherKind(header.sid, kind))
    return invalidCookie(
      'kind',
      kind === 'remember'
        ? 'a session cookie sent as the remember cookie'
        : 'a remember cookie sent as the session cookie',
    )
  return undefined
}

/** An authenticated header, if its times let the cookie be used at `now`. */
const withinTimes = (
  ctx: EngineContext,
  header: Header,
  km: CookieMeta['km'],
  headerText: string,
  kind: CookieKind,
  now: number,
): E.Either<SessionError, Authenticated> => {
  const decided = timesDecision(ctx, header, kind, now)
  // Explicit literals, not spreads: object spread was the largest cost of opening in profiles.
  return E.isLeft(decided) ? decided : E.right({ header, km, headerText })
}

/**
 * The values to try for a cookie name: each one sent under it (a sibling
 * subdomain can send one beside ours), at most MAX_CANDIDATES, first one first.
 */
const candidatesOf = (cookies: RequestCookies, name: string): readonly (string | undefined)[] => {
  const all = cookies.all(name)
  return all.length === 0 ? NONE : all
}
const NONE: readonly (string | undefined)[] = [undefined]

/**
 * A remember cookie's key is PBKDF2, slow on purpose, and it is derived only
 * once a value's MAC holds: after one value got that far and failed, no other
 * is tried, so duplicates cannot multiply that work within one request.
 */
const spentSlowKey = (kind: CookieKind, error: SessionError): boolean =>
  kind === 'remember' &&
  error._tag === 'InvalidCookie' &&
  (error.reason === 'decrypt' ||
    error.reason === 'inflate' ||
    error.reason === 'json' ||
    error.reason === 'data' ||
    error.reason === 'busy')

/** Later chunks no browser would send: refused before the first one's MAC is checked. */
const oversizeChunk = (cookies: RequestCookies, name: string): boolean => {
  for (let i = 2; i <= MAX_CHUNKS; i++) {
    const n = chunkName(name, i)
    const chunk = cookies.get(n)
    if (chunk !== undefined && !fitsCookieLine(n, chunk)) return true
  }
  return false
}

/**
 * Opens the session cookie of cookie storage from the request alone (no
 * store is read): the payload is the rest of the first cookie and the chunks
 * after it. When the name was sent more than once, the first value that opens
 * is used; a value that fails never hides one that opens.
 */
export const openLocal = (
  ctx: EngineContext,
  cookies: RequestCookies,
  binding: Binding,
  now: number,
): E.Either<SessionError, Opened> => {
  const name = cookieName(ctx, 'session')
  if (oversizeChunk(cookies, name)) return E.left(TOO_LARGE)
  let failed: E.Either<SessionError, Opened> | undefined
  for (const value of candidatesOf(cookies, name)) {
    const opened = openLocalValue(ctx, name, value, cookies, binding, now)
    if (E.isRight(opened)) return opened
    failed ??= opened
  }
  return failed as E.Either<SessionError, Opened>
}

/** Opens one value of a cookie-storage session cookie (and the chunks after it). */
const openLocalValue = (
  ctx: EngineContext,
  name: string,
  value: string | undefined,
  cookies: RequestCookies,
  binding: Binding,
  now: number,
): E.Either<SessionError, Opened> => {
  const seen = ctx.recent.find('session', value, now)
  if (seen !== undefined) return reopen(ctx, value as string, seen.plaintext, now)
  const local = localPayload(ctx, 'session', name, value, cookies, binding, now)
  if (E.isLeft(local)) return local
  return decrypt(ctx, local.right.payload, 'session', { value: value as string, whole: local.right.single })
}

/** One value of a cookie-storage cookie (and the chunks after it), authenticated and within its times, not yet decrypted. */
const localPayload = (
  ctx: EngineContext,
  kind: CookieKind,
  name: string,
  value: string | undefined,
  cookies: RequestCookies,
  binding: Binding,
  now: number,
): E.Either<SessionError, { readonly payload: Payload; readonly single: boolean }> => {
  const a = authenticCookie(ctx, kind, name, value, binding, now)
  if (E.isLeft(a)) return a
  const firstChunk = (value as string).slice(HEADER_ENCODED_SIZE)
  const joined = joinChunks(cookies, name, firstChunk, a.right.header.size)
  if (joined === undefined) return E.left(invalidCookie('chunk', 'payload chunks missing or mismatched'))
  const payload = payloadOf(a.right, joined.payload, firstChunk, undefined, undefined, undefined, false)
  return E.right({ payload, single: joined.count === 1 })
}

/** Opens the remember cookie of cookie storage: as `openLocal`, with its key derived off the event loop. */
const openLocalRemember = async (
  ctx: EngineContext,
  cookies: RequestCookies,
  binding: Binding,
  now: number,
  client: string | undefined,
): Promise<E.Either<SessionError, Opened>> => {
  const name = cookieName(ctx, 'remember')
  if (oversizeChunk(cookies, name)) return E.left(TOO_LARGE)
  let failed: E.Either<SessionError, Opened> | undefined
  for (const value of candidatesOf(cookies, name)) {
    const local = localPayload(ctx, 'remember', name, value, cookies, binding, now)
    const opened = E.isLeft(local) ? local : await decryptRemember(ctx, local.right.payload, client)
    if (E.isRight(opened)) return opened
    failed ??= opened
    if (spentSlowKey('remember', opened.left)) break
  }
  return failed as E.Either<SessionError, Opened>
}

/** A header seen (authenticated) before: only its times are checked again. */
const seenHeader = (ctx: EngineContext, headerText: string, now: number): E.Either<SessionError, Authenticated> => {
  const header = parseHeader(ctx, headerText)
  return E.isLeft(header) ? header : withinTimes(ctx, header.right, ctx.keyring.primary, headerText, 'session', now)
}

/** A cookie value seen (authenticated and decrypted) before: only its times and data are checked again. */
const reopen = (ctx: EngineContext, value: string, plaintext: string, now: number): E.Either<SessionError, Opened> => {
  const a = seenHeader(ctx, value.slice(0, HEADER_ENCODED_SIZE), now)
  if (E.isLeft(a)) return a
  const firstChunk = value.slice(HEADER_ENCODED_SIZE)
  return opened(ctx, payloadOf(a.right, firstChunk, firstChunk, undefined, undefined, undefined, false), plaintext)
}

/** Opens the session or remember cookie of a request, for the configured audience. */
export const openCookie = async (
  ctx: EngineContext,
  kind: CookieKind,
  cookies: RequestCookies,
  binding: Binding,
  audience: string,
  client?: string,
): Promise<E.Either<SessionError, Opened>> => {
  const name = cookieName(ctx, kind)
  const now = nowSeconds(ctx)
  if (!ctx.server) {
    const opened =
      kind === 'session'
        ? openLocal(ctx, cookies, binding, now)
        : await openLocalRemember(ctx, cookies, binding, now, client)
    if (E.isLeft(opened) || ctx.marks === undefined) return opened
    return checkRevocation(ctx, name, opened.right, audience, now)
  }
  let failed: E.Either<SessionError, Opened> | undefined
  for (const value of candidatesOf(cookies, name)) {
    const opened = await openServerValue(ctx, kind, name, value, binding, now, client)
    // A store that fails is the server's problem, not this value's: no other value is tried.
    if (E.isRight(opened) || !isRejection(opened.left)) return opened
    failed ??= opened
    if (spentSlowKey(kind, opened.left)) break
  }
  return failed as E.Either<SessionError, Opened>
}

/** Opens one value of a server-storage cookie: its header, then the record it names. */
const openServerValue = async (
  ctx: EngineContext,
  kind: CookieKind,
  name: string,
  value: string | undefined,
  binding: Binding,
  now: number,
  client: string | undefined,
): Promise<E.Either<SessionError, Opened>> => {
  const seen = ctx.recent.find(kind, value, now)
  const a =
    seen === undefined ? authenticCookie(ctx, kind, name, value, binding, now) : seenHeader(ctx, value as string, now)
  if (E.isLeft(a)) return a
  const payload = await readRecord(ctx, name, a.right, binding, now)
  if (E.isLeft(payload)) return payload
  const p = payload.right
  // The record still holds what this header was issued or opened with: nothing to decrypt.
  if (seen !== undefined && ctx.recent.holds(seen, p.ct, p.followed)) return opened(ctx, p, seen.plaintext)
  if (kind === 'remember') return decryptRemember(ctx, p, client)
  return decrypt(ctx, p, kind, { value: p.headerText, whole: true, ct: p.ct })
}

const BUSY = invalidCookie('busy', 'too many remember-cookie keys being derived; not tried')
// PBKDF2 failed on the thread pool (the server's fault, not the cookie's): told apart from a payload AES-GCM refuses.
const NOT_DERIVED = invalidCookie('decrypt', 'its key could not be derived')

/**
 * Decrypts a remember cookie's payload. Its PBKDF2 key is derived on the
 * thread pool, within the bounds of slow-keys.ts: past them the cookie is not
 * tried (`busy`). The payload's length and encoding are checked first, so a
 * malformed one costs no key.
 */
const decryptRemember = async (
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
const opened = (ctx: EngineContext, p: Payload, plaintext: string): E.Either<SessionError, Opened> => {
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
