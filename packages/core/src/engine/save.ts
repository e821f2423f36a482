/**
 * Saving: every save seals under a new session id (AES-GCM keys and IVs are
 * derived from the id, so new data never reuses a nonce). Cookie mode writes
 * chunked Set-Cookie lines; server mode writes the record first, as the
 * successor of the one it was opened from, merging with concurrent saves.
 * Like opening, this hot path is plain async code returning Either.
 */
import * as E from 'fp-ts/lib/Either.js'
import { conflict, revoked, type SessionError } from '../errors.js'
import { newSid } from '../policy/ids.js'
import { pause, RETRY_BUDGET_MS, retryDelay } from '../policy/retry.js'
import { clampOffset, storeTtl } from '../policy/timeouts.js'
import type { SessionRecord, WriteLimit, WriteRequest } from '../ports/records.js'
import type { SubjectRef } from '../ports/subject-ref.js'
import * as b64 from '../wire/base64url.js'
import { seal } from '../wire/codec.js'
import { chunkLines, chunkName, expireLine, httpDate, MAX_CHUNKS } from '../wire/cookies.js'
import { encodeEntries, isPlainObject, setOwn, toJson } from '../wire/entries.js'
import { FLAG_FORGET, FLAG_STORAGE, MAX_ROLLING_OFFSET, readHeader } from '../wire/header.js'
import { anyAudienceRef, cookieName, type EngineContext, indexRefs, REMEMBER_LINK, storageKey } from './context.js'
import type { CookieKind } from './open-header.js'
import { decrypt } from './open-payload.js'
import { parseRecordValue, readRecord } from './record.js'
import type { CookieMeta, SessionImpl } from './session.js'
import { queryRefs } from './subject-index.js'

/** Past this many attempts a save gives up even within its waiting budget. */
const MAX_ATTEMPTS = 100

const metaOf = (s: SessionImpl, kind: CookieKind) => (kind === 'session' ? s.meta : s.rememberMeta)

/** Remember cookies persist: Max-Age and Expires agree (the reference's Expires ignores rotations). */
const rememberAttributes = (ctx: EngineContext, ttl: number, now: number) =>
  `${ctx.o.cookie.attributes}; Expires=${httpDate(now + ttl)}; Max-Age=${ttl}`

const sealFor = (ctx: EngineContext, s: SessionImpl, kind: CookieKind, now: number) => {
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

/** Cookie mode: the chunk lines, and expiry lines for chunks the request had beyond the new count. */
const writeCookies = (
  ctx: EngineContext,
  s: SessionImpl,
  kind: CookieKind,
  headerText: string,
  payload: string,
  attributes: string,
): E.Either<SessionError, string> => {
  const name = cookieName(ctx, kind)
  const chunked = chunkLines(name, headerText, payload, attributes)
  if (chunked === undefined) {
    return E.left({ _tag: 'TooLarge', bytes: headerText.length + payload.length, limit: MAX_CHUNKS * 4096 })
  }
  chunked.lines.forEach((line, i) => {
    s.cookies.set(chunkName(name, i + 1), line)
  })
  for (let i = chunked.lines.length + 1; i <= MAX_CHUNKS; i++) {
    const n = chunkName(name, i)
    if (s.requestCookies.has(n) || s.cookies.has(n)) s.cookies.set(n, expireLine(n, ctx.o.cookie.attributes))
  }
  return E.right(chunked.firstChunk)
}

/** The reference's record value; a remember record keeps the app's info (so a reopened session has it) but no link. */
export const recordValue = (
  payload: string,
  info: SessionImpl['info'],
  remember: boolean,
): E.Either<SessionError, string> => {
  const kept = [...(info ?? [])].filter(([audience]) => !remember || audience !== REMEMBER_LINK)
  if (kept.length === 0) return E.right(JSON.stringify([payload]))
  const text = toJson(Object.fromEntries(kept))
  return E.isLeft(text) ? text : E.right(JSON.stringify([payload, b64.encode(Buffer.from(text.right))]))
}

/**
 * After a conflict: load the live record this session was rotated into, and
 * re-apply only what this request changed. A session that was destroyed in
 * the meantime stays destroyed.
 */
const rebase = async (
  ctx: EngineContext,
  s: SessionImpl,
  name: string,
  now: number,
): Promise<E.Either<SessionError, void>> => {
  const read = await readRecord(ctx, name, s.meta as CookieMeta, s.binding, now)
  if (E.isLeft(read))
    return read.left._tag === 'InvalidCookie' && read.left.reason === 'record' ? E.left(revoked('logout')) : read
  const head = decrypt(ctx, read.right, 'session')
  if (E.isLeft(head)) return head
  const mine = s.entry
  const index = head.right.entries.findIndex((e) => e.audience === mine.audience)
  const target = head.right.entries[index]
  if (target === undefined) return E.left(revoked('logout'))
  if (s.replaced) target.data = mine.data
  else if (s.changes.size > 0) {
    // The other save may have left data that is not an object: keys set here start a new one.
    const data = isPlainObject(target.data) ? target.data : {}
    for (const [key, value] of s.changes) setOwn(data, key, value)
    target.data = data
  }
  if (s.subjectChanged) target.subject = mine.subject
  const info = head.right.info ?? new Map()
  const myInfo = s.info?.get(mine.audience)
  if (myInfo !== undefined) info.set(mine.audience, myInfo)
  s.entries = head.right.entries
  s.index = index
  s.info = info.size > 0 ? info : undefined
  s.meta = head.right.meta
  return E.right(undefined)
}

/**
 * Server mode: write the sealed record, cutting the previous one to staleTtl;
 * on conflict wait (jittered backoff, see retry.ts), re-read and try again.
 */
const writeRecord = async (
  ctx: EngineContext,
  s: SessionImpl,
  kind: CookieKind,
  now: number,
): Promise<E.Either<SessionError, CookieMeta>> => {
  const store = ctx.records
  if (store === undefined) return E.left(revoked('logout'))
  const name = cookieName(ctx, kind)
  const limit = kind === 'session' ? sessionLimit(ctx, s) : undefined
  // A rotation changes nothing: when another save moved the session on first, this one is given its record.
  const adopts = kind === 'session' && !s.dirty
  if (kind === 'session' && s.knownHead !== undefined && s.knownHead !== s.meta) {
    // Another save in this process already moved the session on: merge into its record first.
    s.meta = s.knownHead
    const rebased = await rebase(ctx, s, name, now)
    if (E.isLeft(rebased)) return rebased
    if (adopts) return E.right(s.meta as CookieMeta)
  }
  let waited = 0
  for (let attempt = 1; ; attempt++) {
    const previous = metaOf(s, kind)
    const made = sealFor(ctx, s, kind, now)
    if (E.isLeft(made)) return made
    const { sealed, plaintext, header, ttl } = made.right
    const key = storageKey(ctx, header.sid)
    const recorded = recordValue(sealed.payload, s.info, kind === 'remember')
    if (E.isLeft(recorded)) return recorded
    const value = recorded.right
    const request: WriteRequest = {
      name,
      key,
      value,
      ttl,
      now,
      createdAt: header.creation,
      // Remember records are indexed too (under their own cookie name), so ending a subject's sessions ends them.
      index: indexRefs(ctx, s.entries),
      ...(previous?.key !== undefined && previous.record !== undefined
        ? {
            previous: {
              key: previous.key,
              version: previous.record.version,
              successor: sealed.headerText,
              staleTtl: Math.max(Math.ceil(ctx.o.staleTtl), 1),
            },
          }
        : {}),
      ...(limit === undefined ? {} : { limit }),
    }
    const result = await store.write(request)()
    if (E.isLeft(result)) return result
    if (result.right === 'full') return E.left({ _tag: 'SessionLimit', max: limit?.max ?? 0 })
    if (typeof result.right === 'object') {
      const forgotten = await forgetEvicted(ctx, s, result.right.evicted)
      if (E.isLeft(forgotten)) return forgotten
    }
    if (result.right !== 'conflict') {
      const offered = { kind, value: sealed.headerText, flags: header.flags, primary: true, whole: true }
      ctx.recent.keep({ ...offered, plaintext, ct: sealed.payload }, now)
      const record: SessionRecord = {
        value,
        version: 1,
        successor: null,
        createdAt: header.creation,
        updatedAt: now,
        expiresAt: now + ttl,
      }
      return E.right({ header, headerText: sealed.headerText, km: ctx.keyring.primary, firstChunk: '', key, record })
    }
    const delay = retryDelay(attempt, ctx.random)
    if (attempt >= MAX_ATTEMPTS || waited + delay > RETRY_BUDGET_MS) return E.left(conflict(attempt))
    waited += delay
    await pause(delay)
    if (kind === 'remember') {
      // Remember records are never merged: a concurrent rotation already wrote an equal one.
      s.rememberMeta = undefined
      continue
    }
    const rebased = await rebase(ctx, s, name, now)
    if (E.isLeft(rebased)) return rebased
    if (adopts) return E.right(s.meta as CookieMeta)
  }
}

/** Seals and writes one cookie (session or remember), updating the session's meta. */
export const saveCookie = async (
  ctx: EngineContext,
  s: SessionImpl,
  kind: CookieKind,
  now: number,
): Promise<E.Either<SessionError, void>> => {
  if (!ctx.server) return saveLocalCookie(ctx, s, kind, now)
  const name = cookieName(ctx, kind)
  const written = await writeRecord(ctx, s, kind, now)
  if (E.isLeft(written)) return written
  const meta = written.right
  const ttl = (meta.record?.expiresAt ?? now + 1) - now
  const attributes = kind === 'session' ? ctx.o.cookie.attributes : rememberAttributes(ctx, ttl, now)
  s.cookies.set(name, `${name}=${meta.headerText}${attributes}`)
  setMeta(s, kind, meta)
  return E.right(undefined)
}

/** Cookie storage: seals one cookie into its chunk lines (no I/O). */
export const saveLocalCookie = (
  ctx: EngineContext,
  s: SessionImpl,
  kind: CookieKind,
  now: number,
): E.Either<SessionError, void> => {
  const made = sealFor(ctx, s, kind, now)
  if (E.isLeft(made)) return made
  const { sealed, plaintext, header, ttl } = made.right
  const attributes = kind === 'session' ? ctx.o.cookie.attributes : rememberAttributes(ctx, ttl, now)
  const firstChunk = writeCookies(ctx, s, kind, sealed.headerText, sealed.payload, attributes)
  if (E.isLeft(firstChunk)) return firstChunk
  // The browser sends this cookie back next: opening it then needs no cryptography.
  const whole = firstChunk.right.length === sealed.payload.length
  const value = sealed.headerText + firstChunk.right
  ctx.recent.keep({ kind, value, flags: header.flags, primary: true, whole, plaintext }, now)
  setMeta(s, kind, {
    header,
    headerText: sealed.headerText,
    km: ctx.keyring.primary,
    firstChunk: firstChunk.right,
    key: undefined,
    record: undefined,
  })
  return E.right(undefined)
}

const setMeta = (s: SessionImpl, kind: CookieKind, meta: CookieMeta) => {
  if (kind === 'session') s.meta = meta
  else s.rememberMeta = meta
}

/**
 * The limit a session joining its subject (new, or given another subject)
 * is written under: `maxSessionsPerSubject`, counted as "log out everywhere"
 * finds the subject's sessions (the reference's too). The store holds it
 * inside the write, so concurrent logins cannot all pass it.
 */
const sessionLimit = (ctx: EngineContext, s: SessionImpl): WriteLimit | undefined => {
  const max = ctx.o.maxSessionsPerSubject
  const subject = s.entry.subject
  const joining = s.meta === undefined || s.subjectChanged
  if (max === undefined || subject === undefined || !joining) return undefined
  return { refs: queryRefs(ctx, subject), max, evict: ctx.o.onSessionLimit === 'evict-oldest' }
}

/** Sessions a limited write evicted: the remember records they named go too. */
const forgetEvicted = async (
  ctx: EngineContext,
  s: SessionImpl,
  evicted: readonly string[],
): Promise<E.Either<SessionError, void>> => {
  const store = ctx.records
  const subject = s.entry.subject
  if (store === undefined || subject === undefined) return E.right(undefined)
  for (const value of evicted) {
    const linked = rememberKeyOfValue(value)
    if (linked === undefined) continue
    const removed = await store.remove(ctx.o.cookie.rememberName, linked, [anyAudienceRef(ctx, subject)])()
    if (E.isLeft(removed)) return removed
  }
  return E.right(undefined)
}

/** Deletes the remember record written for a session the limit then refused; the refusal stands. */
export const forgetRefused = async (
  ctx: EngineContext,
  s: SessionImpl,
  refusal: SessionError,
): Promise<E.Either<SessionError, void>> => {
  const key = s.rememberMeta?.key
  const store = ctx.records
  if (key !== undefined && store !== undefined) {
    const removed = await store.remove(ctx.o.cookie.rememberName, key, indexRefs(ctx, s.entries))()
    if (E.isLeft(removed)) return removed
  }
  return E.left(refusal)
}

const rememberKeyOfValue = (value: string): string | undefined => {
  const parsed = parseRecordValue(value)
  const link = E.isRight(parsed) ? parsed.right.info?.get(REMEMBER_LINK)?.key : undefined
  return typeof link === 'string' ? link : undefined
}

/** The remember record a server-side session record names (in its unencrypted info), if any. */
export const rememberKeyOf = (r: SessionRecord | null): string | undefined =>
  r === null ? undefined : rememberKeyOfValue(r.value)

/** Deletes a server-side session record and the remember record it names. */
export const removeWithRemember = async (
  ctx: EngineContext,
  key: string,
  index: readonly SubjectRef[],
  now: number,
): Promise<E.Either<SessionError, void>> => {
  const store = ctx.records
  if (store === undefined) return E.right(undefined)
  const record = await store.read(ctx.o.cookie.name, key, now)()
  if (E.isLeft(record)) return record
  const linked = rememberKeyOf(record.right)
  if (linked !== undefined) {
    const forgotten = await store.remove(ctx.o.cookie.rememberName, linked, index)()
    if (E.isLeft(forgotten)) return forgotten
  }
  return store.remove(ctx.o.cookie.name, key, index)()
}
