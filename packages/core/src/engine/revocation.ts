/**
 * Cookie-storage revocation through a store of marks. A session keeps its
 * creation time across every rotation, so (subject, creation time) names
 * every cookie it was ever issued under: ending the session denies that
 * chain beside the id of the cookie it ended, and a subject's not-before
 * mark compares with the creation time. The same check runs before a save,
 * so a request in flight while the session was ended is not issued a cookie.
 */
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { SessionError } from '../errors.js'
import type { Marks } from '../policy/revocation.js'
import * as b64 from '../wire/base64url.js'
import type { Header } from '../wire/header.js'
import { anyAudienceRef, type EngineContext, encodeSubject, storageKey, subjectRef } from './context.js'

const NONE: Marks = { denied: false, notBefore: null }
const NO_MARK = Promise.resolve(E.right<SessionError, number | null>(null))
const NOT_DENIED = Promise.resolve(E.right<SessionError, boolean>(false))

/**
 * The deny key of a session's chain: the subject and the creation time, hashed to the shape of a
 * storage key (so it can never be mistaken for one). Sessions of one subject created in the same
 * second share it.
 */
const chainKey = (ctx: EngineContext, creation: number, subject: string): string =>
  b64.encode(
    createHash('sha256')
      .update(`chain:${creation}:${encodeSubject(ctx, subject)}`)
      .digest(),
  )

/** The marks of a cookie of the session with `subject` for `audience`. Fails open only if configured. */
export const marksOf = async (
  ctx: EngineContext,
  name: string,
  header: Header,
  subject: string | undefined,
  audience: string,
  now: number,
): Promise<E.Either<SessionError, Marks>> => {
  const store = ctx.marks
  if (store === undefined) return E.right(NONE)
  const [byId, byChain, notBefore] = await Promise.all([
    store.isDenied(name, storageKey(ctx, header.sid), now)(),
    subject === undefined ? NOT_DENIED : store.isDenied(name, chainKey(ctx, header.creation, subject), now)(),
    // Not-before marks are kept under the session cookie's name, for session and remember cookies alike.
    subject === undefined
      ? NO_MARK
      : store.getNotBefore(
          ctx.o.cookie.name,
          [subjectRef(ctx, audience, subject), anyAudienceRef(ctx, subject)],
          now,
        )(),
  ])
  if (E.isLeft(byId) || E.isLeft(byChain) || E.isLeft(notBefore)) {
    if (ctx.o.revocationFailMode === 'open') return E.right(NONE)
    return E.isLeft(byId) ? byId : E.isLeft(byChain) ? byChain : (notBefore as E.Left<SessionError>)
  }
  return E.right({ denied: byId.right || byChain.right, notBefore: notBefore.right })
}

/**
 * Denies the cookie with `header` and every cookie of its chain (one per subject it carried):
 * the id until the cookie would expire (`untilCookie`), the chain until the session would.
 */
export const denyChain = async (
  ctx: EngineContext,
  name: string,
  header: Header,
  subjects: ReadonlySet<string>,
  untilCookie: number,
  untilChain: number,
  now: number,
): Promise<E.Either<SessionError, void>> => {
  const store = ctx.marks
  if (store === undefined) return E.right(undefined)
  const results = await Promise.all([
    store.deny(name, storageKey(ctx, header.sid), untilCookie, now)(),
    ...[...subjects].map((subject) => store.deny(name, chainKey(ctx, header.creation, subject), untilChain, now)()),
  ])
  return results.find(E.isLeft) ?? E.right(undefined)
}
