/**
 * Operations on all the sessions of a subject, for "your devices" pages and
 * "log out everywhere": list, end one, end all (but one). They need the
 * per-subject index in server mode, and revocation marks in cookie mode.
 */
import * as E from 'fp-ts/lib/Either.js'
import { anyAudienceRef, type EngineContext, nowSeconds, REMEMBER_LINK, storageKey, subjectRef } from './context.js'
import { ConfigError, type SessionError } from './errors.js'
import { parseRecordValue } from './open.js'
import type { SessionRecord } from './ports.js'

type Result<A> = Promise<E.Either<SessionError, A>>

/** One live session of a subject, for a "your devices" page. */
export interface SessionSummary {
  /** The session id, when the storage key is not hashed (`hashStorageKey: false`). */
  readonly id: string | undefined
  readonly key: string
  readonly createdAt: number
  readonly lastActiveAt: number
  readonly expiresAt: number
  /** The unencrypted info the app kept with `setInfo`, per audience. */
  readonly info: Readonly<Record<string, Readonly<Record<string, unknown>>>>
}

/** The subject-level operations of an engine. */
export const subjectOps = (ctx: EngineContext) => {
  const o = ctx.o
  const indexStore = (): E.Either<SessionError, NonNullable<EngineContext['store']>> =>
    ctx.store === undefined || (ctx.server && !o.storeMetadata)
      ? E.left(new ConfigError(['storeMetadata: must be true (and a store configured) to find sessions by subject']))
      : E.right(ctx.store)

  const refOf = (q: { subject: string; audience?: string }) =>
    q.audience === undefined ? anyAudienceRef(ctx, q.subject) : subjectRef(ctx, q.audience, q.subject)

  const keyOfId = (id: string) => (o.hashStorageKey ? storageKey(ctx, Buffer.from(id, 'base64url')) : id)

  const endSession = (q: { id?: string; key?: string; subject?: string }) => async (): Result<void> => {
    const store = ctx.store
    const key = q.key ?? (q.id === undefined ? undefined : keyOfId(q.id))
    if (store === undefined || key === undefined) {
      return E.left(new ConfigError(['endSession: needs a store, and the id or key of a session']))
    }
    const now = nowSeconds(ctx)
    if (!ctx.server) return store.deny(o.cookie.name, key, now + lifetime())()
    const record = await store.read(o.cookie.name, key, now)()
    if (E.isLeft(record)) return record
    const linked = rememberKeyOf(record.right)
    if (linked !== undefined) {
      const forgotten = await store.remove(o.cookie.rememberName, linked, [])()
      if (E.isLeft(forgotten)) return forgotten
    }
    const ended = await store.remove(
      o.cookie.name,
      key,
      q.subject === undefined ? [] : [anyAudienceRef(ctx, q.subject)],
    )()
    if (E.isRight(ended)) ctx.emit({ type: 'destroyed', id: q.id ?? key, audience: o.audience })
    return ended
  }

  /** The remember record a server-side session record names, if any. */
  const rememberKeyOf = (r: SessionRecord | null): string | undefined => {
    if (r === null) return undefined
    const parsed = parseRecordValue(r.value)
    const link = E.isRight(parsed) ? parsed.right.info?.get(REMEMBER_LINK)?.key : undefined
    return typeof link === 'string' ? link : undefined
  }

  /** How long a revocation mark must last: the longest a cookie can live. */
  const lifetime = () => Math.max(o.absoluteTimeout, o.remember ? o.rememberAbsoluteTimeout : 0) || 34_560_000

  const invalidateSubject = (q: { subject: string; audience?: string; except?: string }) => async () => {
    const store = indexStore()
    if (E.isLeft(store)) return store
    const now = nowSeconds(ctx)
    const ref = refOf(q)
    let result: E.Either<SessionError, number>
    if (ctx.server) {
      const keep = q.except === undefined ? [] : [keyOfId(q.except)]
      // Remember records are not indexed: the not-before mark ends those the subject holds.
      const marked = await store.right.setNotBefore(o.cookie.name, ref, now, now + lifetime())()
      result = E.isLeft(marked) ? marked : await store.right.removeIndexed(o.cookie.name, ref, keep, now)()
    } else {
      // Cookie mode: a not-before mark; sessions issued before it are revoked on their next request.
      const marked = await store.right.setNotBefore(o.cookie.name, ref, now, now + lifetime())()
      result = E.map(() => 0)(marked)
    }
    if (E.isRight(result)) ctx.emit({ type: 'invalidated', subject: q.subject, count: result.right })
    return result
  }

  const summarize = (key: string, r: SessionRecord | null): SessionSummary[] => {
    if (r === null || r.successor !== null) return []
    const parsed = parseRecordValue(r.value)
    const entries = E.isRight(parsed) && parsed.right.info !== undefined ? [...parsed.right.info] : []
    const info = Object.fromEntries(entries.filter(([audience]) => audience !== REMEMBER_LINK))
    const id = o.hashStorageKey ? undefined : key
    return [{ id, key, createdAt: r.createdAt, lastActiveAt: r.updatedAt, expiresAt: r.expiresAt, info }]
  }

  const listSessions = (q: { subject: string; audience?: string }) => async () => {
    const store = indexStore()
    if (E.isLeft(store)) return store
    const now = nowSeconds(ctx)
    const name = o.cookie.name
    const entries = await store.right.listIndex(name, refOf(q), now)()
    if (E.isLeft(entries)) return entries
    const records = await Promise.all(entries.right.map((e) => store.right.read(name, e.key, now)()))
    const sessions: SessionSummary[] = []
    for (const [i, r] of records.entries()) {
      if (E.isLeft(r)) return r
      sessions.push(...summarize(entries.right[i]?.key ?? '', r.right))
    }
    return E.right(sessions)
  }

  return { endSession, invalidateSubject, listSessions }
}
