/**
 * What a save checks about the session it starts from, and starting a
 * session over. Regenerate and a change of subject end the old id with no
 * successor link (a cookie planted before login then leads nowhere) and give
 * the session a new creation time. In cookie storage with a store, a save
 * from a session that was ended meanwhile (a logout or "log out everywhere"
 * while this request was in flight) fails with `Revoked`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { revoked, type SessionError } from '../errors.js'
import { verdict } from '../policy/revocation.js'
import type { Entry } from '../wire/entries.js'
import { FLAG_FORGET } from '../wire/header.js'
import { cookieName, type EngineContext, REMEMBER_LINK } from './context.js'
import { forgetCookie } from './forget.js'
import { forgetRecent } from './open.js'
import { marksOf } from './revocation.js'
import type { SessionImpl } from './session.js'

const DONE: E.Either<SessionError, void> = E.right(undefined)
/** How long (seconds) a session kept by invalidateSubject may still be started over by its request. */
const SPARED_FOR = 60

/** The session's audiences as they were stored: the current one with the subject it had before this request. */
const storedEntries = (s: SessionImpl): Entry[] => {
  if (!s.subjectChanged) return s.entries
  const current = s.entry
  return s.entries.map((e) => (e === current ? { ...e, subject: s.subjectBefore } : e))
}

/** Forgets the cookies the session had, locally: the next seal is a new session. */
export const restartLocal = (ctx: EngineContext, s: SessionImpl): void => {
  forgetRecent(ctx, s)
  // A session whose cookie said "forget" keeps that choice across the new start.
  if (s.rememberChoice === undefined && ((s.meta?.header.flags ?? 0) & FLAG_FORGET) !== 0) s.rememberChoice = false
  s.meta = undefined
  s.rememberMeta = undefined
  s.knownHead = undefined
  s.info?.delete(REMEMBER_LINK)
  s.renew = false
  s.restarted = true
}

/** Ends the session's old id (and remember cookie) on the server side, then forgets them locally. */
const endPredecessor = async (
  ctx: EngineContext,
  s: SessionImpl,
  now: number,
): Promise<E.Either<SessionError, void>> => {
  const entries = storedEntries(s)
  for (const kind of ['session', 'remember'] as const) {
    const forgotten = await forgetCookie(ctx, s, kind, now, entries)
    if (E.isLeft(forgotten)) return forgotten
  }
  restartLocal(ctx, s)
  return DONE
}

/** Cookie storage with a store: Left when the session this save starts from was revoked. */
const checkBase = async (ctx: EngineContext, s: SessionImpl, now: number): Promise<E.Either<SessionError, void>> => {
  const meta = s.meta
  if (meta === undefined) return DONE
  const subject = s.subjectChanged ? s.subjectBefore : s.subject
  const marks = await marksOf(ctx, cookieName(ctx, 'session'), meta.header, subject, s.audience, now)
  if (E.isLeft(marks)) return marks
  const ended = verdict(meta.header, marks.right)
  if (ended === undefined) return DONE
  const sparedAt = ended.reason === 'invalidated' ? ctx.spared.get(s.id ?? '') : undefined
  const notBefore = marks.right.notBefore ?? now
  if (sparedAt === undefined || sparedAt < notBefore || sparedAt < now - SPARED_FOR) {
    return E.left(ended)
  }
  // Kept by invalidateSubject's `except`: the session goes on, started over after the mark.
  ctx.spared.delete(s.id ?? '')
  s.renew = true
  return DONE
}

/**
 * Before a save: checks the session it starts from and, when the save starts
 * it over, ends the old id. No I/O for a new session, or for a plain save in
 * server storage (the record's compare-and-set detects a session ended meanwhile).
 */
export const settleBase = async (
  ctx: EngineContext,
  s: SessionImpl,
  now: number,
): Promise<E.Either<SessionError, void>> => {
  s.restarted = false
  const meta = s.meta
  if (meta === undefined) return DONE
  if (!ctx.server) {
    const checked = await checkBase(ctx, s, now)
    if (E.isLeft(checked)) return checked
    return s.startsOver ? endPredecessor(ctx, s, now) : DONE
  }
  if (!s.startsOver) return DONE
  const store = ctx.records
  if (store === undefined || meta.key === undefined) return E.left(revoked('logout'))
  const live = await store.read(cookieName(ctx, 'session'), meta.key, now)()
  if (E.isLeft(live)) return live
  if (live.right === null) return E.left(revoked('logout'))
  return endPredecessor(ctx, s, now)
}

/** Records that invalidateSubject kept `id`, so that its request may still start it over (bounded, short-lived). */
export const spare = (ctx: EngineContext, id: string, at: number): void => {
  for (const [kept, time] of ctx.spared) {
    if (time < at - SPARED_FOR || ctx.spared.size >= 1024) ctx.spared.delete(kept)
    else break
  }
  ctx.spared.set(id, at)
}
