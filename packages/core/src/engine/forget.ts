/**
 * Forgetting a session on the server side when it is destroyed: server mode
 * deletes the record and every record it was rotated into (so a save that
 * raced the logout cannot keep the session alive); cookie mode with a
 * revocation store denylists the session id until the cookie expires anyway,
 * and the session's chain (every cookie it was issued) until the session would.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { SessionError } from '../errors.js'
import { remaining } from '../policy/timeouts.js'
import type { SessionRecord } from '../ports/records.js'
import type { Entry } from '../wire/entries.js'
import { HEADER_ENCODED_SIZE, type Header } from '../wire/header.js'
import { cookieName, type EngineContext, indexRefs, storageKey } from './context.js'
import { authenticate, type CookieKind, rememberTimeouts } from './open-header.js'
import { denyChain } from './revocation.js'
import type { SessionImpl } from './session.js'

const MAX_CHAIN = 64
const MAX_TTL = 34_560_000

/** Deletes the record at `key` and, following successor pointers, every later record of the session. */
const removeChain = async (
  ctx: EngineContext,
  s: SessionImpl,
  name: string,
  first: string,
  kind: CookieKind,
  now: number,
  entries: readonly Entry[],
): Promise<E.Either<SessionError, void>> => {
  const store = ctx.records
  if (store === undefined) return E.right(undefined)
  const refs = kind === 'session' ? indexRefs(ctx, entries) : []
  let key: string | undefined = first
  for (let hops = 0; key !== undefined && hops <= MAX_CHAIN; hops++) {
    const read: E.Either<SessionError, SessionRecord | null> = await store.read(name, key, now)()
    if (E.isLeft(read)) return read
    const removed = await store.remove(name, key, refs)()
    if (E.isLeft(removed)) return removed
    const successor: string | null | undefined = read.right?.successor
    key = successor == null ? undefined : successorKey(ctx, s, successor)
  }
  return E.right(undefined)
}

/** The storage key a successor header points at, when it authenticates. */
const successorKey = (ctx: EngineContext, s: SessionImpl, successor: string): string | undefined => {
  const next = authenticate(ctx, successor, s.binding)
  return E.isLeft(next) ? undefined : storageKey(ctx, next.right.header.sid)
}

/** The authenticated header of a cookie the request carried, if any. */
const headerFromRequest = (ctx: EngineContext, s: SessionImpl, name: string): Header | undefined => {
  const value = s.requestCookies.get(name)
  if (value === undefined) return undefined
  const authenticated = authenticate(ctx, value.slice(0, HEADER_ENCODED_SIZE), s.binding)
  return E.isRight(authenticated) ? authenticated.right.header : undefined
}

/**
 * Makes one cookie of a destroyed session unusable on the server side. `entries` are the
 * session's audiences as they were stored (by default as they are now).
 */
export const forgetCookie = async (
  ctx: EngineContext,
  s: SessionImpl,
  kind: CookieKind,
  now: number,
  entries: readonly Entry[] = s.entries,
): Promise<E.Either<SessionError, void>> => {
  const o = ctx.o
  const name = cookieName(ctx, kind)
  // Cookie storage with no store of marks: the cookies are expired, and that is all there is.
  if (!ctx.server && ctx.marks === undefined) return E.right(undefined)
  // The remember cookie is usually not opened on the request that logs out: authenticate its header.
  const header = (kind === 'session' ? s.meta : s.rememberMeta)?.header ?? headerFromRequest(ctx, s, name)
  if (header === undefined) return E.right(undefined)
  if (ctx.server) return removeChain(ctx, s, name, storageKey(ctx, header.sid), kind, now, entries)
  const timeouts = kind === 'session' ? o : rememberTimeouts(o)
  const left = remaining(header, timeouts, now).nearest ?? MAX_TTL
  // Later cookies of the chain (a save in flight) live at most until the session's absolute timeout.
  const end = timeouts.absoluteTimeout > 0 ? header.creation + timeouts.absoluteTimeout : now + MAX_TTL
  const subjects = new Set(entries.flatMap((e) => (e.subject === undefined ? [] : [e.subject])))
  const untilCookie = now + Math.max(Math.ceil(left), 1)
  return denyChain(ctx, name, header, subjects, untilCookie, Math.max(Math.ceil(end), now + 1), now)
}
