/**
 * Operations on all the sessions of a subject, for "your devices" pages and
 * "log out everywhere": list, end one, end all (but one). They need the
 * per-subject index in server mode, and revocation marks in cookie mode.
 */
import * as E from 'fp-ts/lib/Either.js'
import { ConfigError, type SessionError } from '../errors.js'
import type { LiftedMarks, LiftedRecords } from '../ports/lift.js'
import type { SessionRecord } from '../ports/records.js'
import { anyAudienceRef, type EngineContext, nowSeconds, REMEMBER_LINK, storageKey, subjectRef } from './context.js'
import { parseRecordValue } from './record.js'
import { spare } from './renew.js'
import { listAll, queryRefs, removeAll } from './subject-index.js'
import { rememberKeyOf, removeWithRemember } from './write-record.js'

type Result<A> = Promise<E.Either<SessionError, A>>

/** One live session of a subject, for a "your devices" page. */
export interface SessionSummary {
  /** The session id, when the storage key is not hashed (`hashStorageKey: false`). */
  readonly id: string | undefined
  readonly key: string
  /** When the session was created; undefined when unknown (a session the reference wrote). */
  readonly createdAt: number | undefined
  /** When the session was last saved or touched; undefined when unknown (a session the reference wrote). */
  readonly lastActiveAt: number | undefined
  readonly expiresAt: number
  /** The unencrypted info the app kept with `setInfo`, per audience. */
  readonly info: Readonly<Record<string, Readonly<Record<string, unknown>>>>
}

/** The subject-level operations of an engine. */
export const subjectOps = (ctx: EngineContext) => {
  const o = ctx.o
  /** Server storage's records and subject index, when sessions are indexed by subject. */
  const subjectIndex = (): E.Either<SessionError, LiftedRecords> =>
    ctx.records === undefined || !o.storeMetadata
      ? E.left(
          new ConfigError([
            'storeMetadata: must be true, in server storage, to find sessions by subject (cookie storage keeps no index; it ends them with a store of revocation marks)',
          ]),
        )
      : E.right(ctx.records)

  /** Cookie storage's revocation marks. */
  const marksStore = (what: string): E.Either<SessionError, LiftedMarks> =>
    ctx.marks === undefined
      ? E.left(new ConfigError([`${what}: in cookie storage, needs a store of revocation marks`]))
      : E.right(ctx.marks)

  const refsOf = (q: { subject: string; audience?: string }) => queryRefs(ctx, q.subject, q.audience)

  const keyOfId = (id: string) => (o.hashStorageKey ? storageKey(ctx, Buffer.from(id, 'base64url')) : id)

  const endSession = (q: { id?: string; key?: string; subject?: string }) => async (): Result<void> => {
    const key = q.key ?? (q.id === undefined ? undefined : keyOfId(q.id))
    if ((!ctx.server && ctx.marks === undefined) || key === undefined) {
      return E.left(new ConfigError(['endSession: needs a store, and the id or key of a session']))
    }
    const now = nowSeconds(ctx)
    const ended =
      ctx.marks === undefined
        ? await removeWithRemember(ctx, key, q.subject === undefined ? [] : [anyAudienceRef(ctx, q.subject)], now)
        : await ctx.marks.deny(o.cookie.name, key, now + lifetime(), now)()
    if (E.isRight(ended)) ctx.emit({ type: 'destroyed', id: q.id ?? key, audience: o.audience })
    return ended
  }

  /** How long a revocation mark must last: the longest a cookie can live. */
  const lifetime = () =>
    Math.ceil(Math.max(o.absoluteTimeout, o.remember ? o.rememberAbsoluteTimeout : 0)) || 34_560_000

  /**
   * Server mode deletes the records (and the remember records, indexed under
   * their own cookie name), keeping `except` and the remember record it names.
   * Cookie mode sets a not-before mark that ends every session created before
   * it (in seconds: a session created in the same second as the mark survives
   * it); the session kept by `except` goes on only by a save or regenerate in
   * the same request, which starts it over after the mark.
   */
  const invalidateSubject = (q: { subject: string; audience?: string; except?: string }) => async () => {
    const now = nowSeconds(ctx)
    let result: E.Either<SessionError, number>
    if (ctx.server) {
      const store = subjectIndex()
      if (E.isLeft(store)) return store
      const refs = refsOf(q)
      const kept = q.except === undefined ? undefined : keyOfId(q.except)
      const keptRecord = kept === undefined ? E.right(null) : await store.right.read(o.cookie.name, kept, now)()
      if (E.isLeft(keptRecord)) return keptRecord
      const keptRemember = rememberKeyOf(keptRecord.right)
      const remembered = await removeAll(
        store.right,
        o.cookie.rememberName,
        refs,
        keptRemember === undefined ? [] : [keptRemember],
        now,
      )
      if (E.isLeft(remembered)) return remembered
      result = await removeAll(store.right, o.cookie.name, refs, kept === undefined ? [] : [kept], now)
    } else {
      const store = marksStore('invalidateSubject')
      if (E.isLeft(store)) return store
      // Cookie storage: the marks are Tessera's own, under the encoded subject.
      const ref = q.audience === undefined ? anyAudienceRef(ctx, q.subject) : subjectRef(ctx, q.audience, q.subject)
      const marked = await store.right.setNotBefore(o.cookie.name, ref, now, now + lifetime())()
      // The request that asked may still save the session it kept: that save starts it over after the mark.
      if (q.except !== undefined && E.isRight(marked)) spare(ctx, q.except, now)
      result = E.map(() => 0)(marked)
    }
    if (E.isRight(result)) ctx.emit({ type: 'invalidated', subject: q.subject, count: result.right })
    return result
  }

  /**
   * Past its idle timeout a session no longer opens, though its record lives
   * on until its TTL: it is not listed. Touches record the time of activity
   * in server storage, except in upstream mode, where the gateway touches
   * and nothing is written, so the time a listing sees there is the last save.
   */
  const idledOut = (r: SessionRecord, now: number) =>
    o.idlingTimeout > 0 && !o.upstream && r.updatedAt > 0 && now - r.updatedAt > o.idlingTimeout

  const summarize = (key: string, r: SessionRecord | null, now: number): SessionSummary[] => {
    if (r === null || r.successor !== null || idledOut(r, now)) return []
    const parsed = parseRecordValue(r.value)
    const entries = E.isRight(parsed) && parsed.right.info !== undefined ? [...parsed.right.info] : []
    const info = Object.fromEntries(entries.filter(([audience]) => audience !== REMEMBER_LINK))
    const id = o.hashStorageKey ? undefined : key
    const known = (t: number) => (t > 0 ? t : undefined)
    return [{ id, key, createdAt: known(r.createdAt), lastActiveAt: known(r.updatedAt), expiresAt: r.expiresAt, info }]
  }

  const listSessions = (q: { subject: string; audience?: string }) => async () => {
    const store = subjectIndex()
    if (E.isLeft(store)) return store
    const now = nowSeconds(ctx)
    const name = o.cookie.name
    const entries = await listAll(store.right, name, refsOf(q), now)
    if (E.isLeft(entries)) return entries
    const records = await Promise.all(entries.right.map((e) => store.right.read(name, e.key, now)()))
    const sessions: SessionSummary[] = []
    for (const [i, r] of records.entries()) {
      if (E.isLeft(r)) return r
      sessions.push(...summarize(entries.right[i]?.key ?? '', r.right, now))
    }
    return E.right(sessions)
  }

  return { endSession, invalidateSubject, listSessions }
}
