/**
 * What happens to an open session: touch, save (under a lock per session in
 * this process), refresh by the policy, logout of one audience, destroy.
 */
import * as E from 'fp-ts/lib/Either.js'
import { closed, type SessionError, upstreamReadOnly } from '../errors.js'
import { clampOffset, decide } from '../policy/timeouts.js'
import { touchHeader } from '../wire/codec.js'
import type { SessionData } from '../wire/entries.js'
import { MAX_IDLING_OFFSET, readHeader } from '../wire/header.js'
import { type EngineContext, nowSeconds, REMEMBER_LINK } from './context.js'
import { keyedMutex } from './mutex.js'
import { restartLocal, settleBase } from './renew.js'
import { clearCookies, outcomeOf } from './responses.js'
import { saveCookie, saveLocalCookie } from './save.js'
import { prepareRemember, rememberKeyIsSlow } from './seal.js'
import type { CookieMeta, SessionImpl } from './session.js'
import type { Outcome } from './types.js'
import { saveInfoInPlace, saveRefusal } from './upstream.js'
import { forgetRefused } from './write-record.js'

type Result<A> = Promise<E.Either<SessionError, A>>

const KEPT: E.Either<SessionError, unknown> = E.right(undefined)

/** The reference's order: a save writes the session cookie first, a reopening the remember cookie. */
const order = (rememberFirst: boolean) =>
  rememberFirst ? (['remember', 'session'] as const) : (['session', 'remember'] as const)

/** Touch, save and refresh of a session. */
export const sessionWrites = <D extends SessionData>(ctx: EngineContext) => {
  const o = ctx.o
  const lock = keyedMutex<CookieMeta>()
  const outcome = (s: SessionImpl<D>) => outcomeOf(ctx, s)
  const clearRequestCookies = (s: SessionImpl<D>, kind: 'session' | 'remember') => clearCookies(ctx, s, kind)

  /** Re-issues the cookie with a new idling offset (no I/O); true when it did. */
  const touchCookie = (s: SessionImpl<D>, now: number): E.Either<SessionError, boolean> => {
    if (s.state === 'closed') return E.left(closed)
    if (o.upstream) return E.left(upstreamReadOnly('touch', 'the gateway touches its own cookie'))
    const meta = s.meta
    if (s.state !== 'open' || meta === undefined) return E.right(false)
    const idling = clampOffset(now - meta.header.creation - meta.header.rolling, MAX_IDLING_OFFSET)
    const bytes = touchHeader(meta.header, idling, meta.km, s.binding)
    const headerText = bytes.toString('base64url')
    s.meta = {
      header: readHeader(bytes),
      headerText,
      km: meta.km,
      firstChunk: meta.firstChunk,
      key: meta.key,
      record: meta.record,
    }
    const rest = ctx.server ? '' : meta.firstChunk
    s.cookies.set(o.cookie.name, `${o.cookie.name}=${headerText}${rest}${o.cookie.attributes}`)
    if (ctx.listening) ctx.emit({ type: 'touched', id: s.id ?? '', audience: s.audience })
    return E.right(true)
  }

  /** Cookie storage: a touch is the re-issued cookie alone. */
  const touchLocal = (s: SessionImpl<D>): E.Either<SessionError, Outcome> =>
    E.map(() => outcome(s))(touchCookie(s, nowSeconds(ctx)))

  /**
   * A touch. In server storage the store records it too (the record's
   * `updatedAt`), so what lists a subject's sessions knows when each was last
   * active, not only when it was last saved.
   */
  const touchImpl = async (s: SessionImpl<D>): Result<Outcome> => {
    const now = nowSeconds(ctx)
    const touched = touchCookie(s, now)
    if (E.isLeft(touched)) return touched
    const key = s.meta?.key
    if (touched.right && ctx.records !== undefined && key !== undefined) {
      const recorded = await ctx.records.touch(o.cookie.name, key, now)()
      if (E.isLeft(recorded)) return recorded
    }
    return E.right(outcome(s))
  }

  /** Cookie storage: the cookies are sealed here and now, nothing is written anywhere else. */
  const saveBothLocal = (s: SessionImpl<D>, now: number, rememberFirst: boolean): E.Either<SessionError, void> => {
    if (!s.remember) return saveLocalCookie(ctx, s, 'session', now)
    const [first, second] = order(rememberFirst)
    const saved = saveLocalCookie(ctx, s, first, now)
    return E.isLeft(saved) ? saved : saveLocalCookie(ctx, s, second, now)
  }

  /** As `saveBothLocal`, with the remember cookie's PBKDF2 key derived on the thread pool first. */
  const saveBothLocalSlowKey = async (s: SessionImpl<D>, now: number, rememberFirst: boolean): Result<void> => {
    for (const kind of order(rememberFirst)) {
      const saved = saveLocalCookie(ctx, s, kind, now, kind === 'remember' ? await prepareRemember(ctx) : undefined)
      if (E.isLeft(saved)) return saved
    }
    return E.right(undefined)
  }

  /**
   * Saves the session cookie and, when remembered, the remember cookie. In
   * server mode the remember record goes first and the session record names
   * it (in its unencrypted info), so ending that one session ends both.
   */
  const saveBoth = async (s: SessionImpl<D>, now: number, rememberFirst = false): Result<void> => {
    if (!ctx.server) {
      return s.remember && rememberKeyIsSlow(ctx)
        ? saveBothLocalSlowKey(s, now, rememberFirst)
        : saveBothLocal(s, now, rememberFirst)
    }
    if (!s.remember) {
      s.info?.delete(REMEMBER_LINK)
      return saveCookie(ctx, s, 'session', now)
    }
    const remembered = await saveCookie(ctx, s, 'remember', now)
    if (E.isLeft(remembered)) return remembered
    s.info ??= new Map()
    s.info.set(REMEMBER_LINK, { key: s.rememberMeta?.key })
    const saved = await saveCookie(ctx, s, 'session', now)
    // A session the limit refused: the remember record written for it must not outlive the refusal.
    return E.isLeft(saved) && saved.left._tag === 'SessionLimit' ? forgetRefused(ctx, s, saved.left) : saved
  }

  /** What every save ends with, once the cookies (and records) are written. */
  const saved = (s: SessionImpl<D>, previousId: string | undefined): E.Either<SessionError, Outcome> => {
    if (!s.remember && s.rememberChoice === false) clearRequestCookies(s, 'remember')
    s.state = 'open'
    s.dirty = false
    s.subjectChanged = false
    s.replaced = false
    s.sealedChanged = false
    s.infoChanged = false
    s.changes.clear()
    if (!ctx.listening) return E.right(outcome(s))
    const id = s.id ?? ''
    ctx.emit(
      previousId === undefined
        ? { type: 'created', id, audience: s.audience, subject: s.subject }
        : { type: 'rotated', id, previousId, audience: s.audience },
    )
    return E.right(outcome(s))
  }

  const saveUnlocked = async (s: SessionImpl<D>): Result<Outcome> => {
    const now = nowSeconds(ctx)
    // The id before the save names a rotation's event: encoded only when someone listens.
    const previousId = ctx.listening ? s.id : undefined
    const settled = await settleBase(ctx, s, now)
    if (E.isLeft(settled)) return settled
    const written = await saveBoth(s, now)
    return E.isLeft(written) ? written : saved(s, previousId)
  }

  /**
   * A save that needs no I/O (cookie storage), done at once; undefined in server mode, and in
   * cookie storage with a store when the session it starts from must be checked against its marks.
   */
  const saveSync = (s: SessionImpl<D>): E.Either<SessionError, Outcome> | undefined => {
    if (s.state === 'closed') return E.left(closed)
    if (o.upstream) {
      const refused = saveRefusal(ctx, s)
      return refused === undefined ? undefined : E.left(refused)
    }
    if (ctx.server || (ctx.marks !== undefined && s.meta !== undefined)) return undefined
    // A remember cookie whose key is PBKDF2 is sealed with its key derived on the thread pool.
    if (s.remember && rememberKeyIsSlow(ctx)) return undefined
    const previousId = ctx.listening ? s.id : undefined
    if (s.meta !== undefined && s.startsOver) restartLocal(ctx, s)
    const written = saveBothLocal(s, nowSeconds(ctx), false)
    return E.isLeft(written) ? written : saved(s, previousId)
  }

  /** Upstream mode, server storage: only the info changes, in place, under the same id; no cookie is sent. */
  const saveInPlace = async (s: SessionImpl<D>): Result<Outcome> => {
    const written = await saveInfoInPlace(ctx, s, nowSeconds(ctx))
    if (E.isLeft(written)) return written
    s.dirty = false
    s.infoChanged = false
    return E.right(outcome(s))
  }

  const saveImpl = (s: SessionImpl<D>): Result<Outcome> => {
    const atOnce = saveSync(s)
    if (atOnce !== undefined) return Promise.resolve(atOnce)
    if (o.upstream) return saveInPlace(s)
    const key = s.meta?.key
    if (key === undefined) return saveUnlocked(s)
    return lock(key, async (head) => {
      s.knownHead = head.value
      const result = await saveUnlocked(s)
      // A session started over is not where the old id's requests go: they find it ended.
      if (E.isRight(result) && s.meta !== undefined && !s.restarted) head.value = s.meta
      s.knownHead = undefined
      return result
    })
  }

  /**
   * What the policy's refresh does: nothing (`kept`), done at once, or a save, or a touch the
   * store must record. Opening refreshes every session it opens and has no use for an outcome,
   * so none is made for `kept`.
   */
  const refreshStep = (s: SessionImpl<D>): E.Either<SessionError, Outcome> | 'kept' | 'save' | 'touch' => {
    if (s.state === 'closed') return E.left(closed)
    // Upstream mode: touching and rotating are the gateway's; it decides on the same times.
    if (s.state !== 'open' || s.meta === undefined || o.upstream) return 'kept'
    const decision = decide(s.meta.header, o, nowSeconds(ctx))
    // A cookie opened under a fallback secret is re-issued under the primary at once, not at its next save.
    if (decision._tag === 'Rotate' || s.meta.km !== ctx.keyring.primary) return 'save'
    if (decision._tag === 'Touch') return ctx.server ? 'touch' : touchLocal(s)
    return 'kept'
  }

  /** The policy's refresh as opening runs it: at once unless a store has to be written (then undefined). */
  const refreshSync = (s: SessionImpl<D>): E.Either<SessionError, unknown> | undefined => {
    const step = refreshStep(s)
    if (step === 'touch') return undefined
    if (step === 'kept') return KEPT
    return step === 'save' ? saveSync(s) : step
  }

  /** The policy's refresh as opening runs it: `kept` when there was nothing to do, else what it did. */
  const refreshOnOpen = (s: SessionImpl<D>): 'kept' | Result<Outcome> => {
    const step = refreshStep(s)
    if (step === 'kept') return step
    if (step === 'touch') return touchImpl(s)
    return step === 'save' ? saveImpl(s) : Promise.resolve(step)
  }

  const refreshImpl = (s: SessionImpl<D>): Result<Outcome> => {
    const refreshed = refreshOnOpen(s)
    return refreshed === 'kept' ? Promise.resolve(E.right(outcome(s))) : refreshed
  }

  const regenerateImpl = (s: SessionImpl<D>): Result<Outcome> => {
    if (s.state === 'closed') return Promise.resolve(E.left(closed))
    if (s.meta !== undefined) s.renew = true
    return saveImpl(s)
  }

  return { touchImpl, saveBoth, saveImpl, saveSync, regenerateImpl, refreshImpl, refreshOnOpen, refreshSync }
}
