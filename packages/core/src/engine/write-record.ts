/**
 * Server storage's half of a save: the record written as the successor of the
 * one the session was opened from, merging with a concurrent save (compare and
 * set, retried with a jittered backoff within a budget), the per-subject
 * session limit, and what goes with a session that is evicted or refused: its
 * remember record.
 */

import * as E from 'fp-ts/lib/Either.js'
import { conflict, revoked, type SessionError } from '../errors.js'
import { pause, RETRY_BUDGET_MS, retryDelay } from '../policy/retry.js'
import type { SessionRecord, WriteLimit, WriteRequest } from '../ports/records.js'
import type { SubjectRef } from '../ports/subject-ref.js'
import * as b64 from '../wire/base64url.js'
import { isPlainObject, setOwn, toJson } from '../wire/entries.js'
import { anyAudienceRef, cookieName, type EngineContext, indexRefs, REMEMBER_LINK, storageKey } from './context.js'
import type { CookieKind } from './open-header.js'
import { decrypt } from './open-payload.js'
import { parseRecordValue, readRecord } from './record.js'
import { metaOf, prepareRemember, sealFor } from './seal.js'
import type { CookieMeta, SessionImpl } from './session.js'
import { queryRefs } from './subject-index.js'

type Writable<T> = { -readonly [K in keyof T]: T[K] }

/** Past this many attempts a save gives up even within its waiting budget. */
const MAX_ATTEMPTS = 100

/** The reference's record value; a remember record keeps the app's info (so a reopened session has it) but no link. */
export const recordValue = (
  payload: string,
  info: SessionImpl['info'],
  remember: boolean,
): E.Either<SessionError, string> => {
  if (info === undefined || info.size === 0) return E.right(JSON.stringify([payload]))
  const kept = [...info].filter(([audience]) => !remember || audience !== REMEMBER_LINK)
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
export const writeRecord = async (
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
    // A new id each attempt: an id is never sealed twice (its key and IV would be used again).
    const made = sealFor(ctx, s, kind, now, kind === 'remember' ? await prepareRemember(ctx) : undefined)
    if (E.isLeft(made)) return made
    const { sealed, plaintext, header, ttl } = made.right
    const key = storageKey(ctx, header.sid)
    const recorded = recordValue(sealed.payload, s.info, kind === 'remember')
    if (E.isLeft(recorded)) return recorded
    const value = recorded.right
    // Built field by field, not with conditional spreads (spreads were most of this function's own time).
    const request: Writable<WriteRequest> = {
      name,
      key,
      value,
      ttl,
      now,
      createdAt: header.creation,
      // Remember records are indexed too (under their own cookie name), so ending a subject's sessions ends them.
      index: indexRefs(ctx, s.entries),
    }
    if (previous?.key !== undefined && previous.record !== undefined)
      request.previous = {
        key: previous.key,
        version: previous.record.version,
        successor: sealed.headerText,
        staleTtl: Math.max(Math.ceil(ctx.o.staleTtl), 1),
      }
    if (limit !== undefined) request.limit = limit
    const result = await store.write(request)()
    if (E.isLeft(result)) return result
    if (result.right === 'full') return E.left({ _tag: 'SessionLimit', max: limit?.max ?? 0 })
    if (typeof result.right === 'object') {
      const forgotten = await forgetEvicted(ctx, s, result.right.evicted)
      if (E.isLeft(forgotten)) return forgotten
    }
    if (result.right !== 'conflict') {
      const offered = {
        kind,
        value: sealed.headerText,
        flags: header.flags,
        primary: true,
        whole: true,
        plaintext,
        ct: sealed.payload,
      }
      ctx.recent.keep(offered, now)
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
