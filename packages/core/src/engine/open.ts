/**
 * Opening a cookie: which values of the cookie's name to try, and for each its
 * header (open-header.ts: MAC first, in constant time, then kind and times),
 * its payload from the cookie's chunks or the store (record.ts), the payload
 * decrypted and decoded (open-payload.ts), then revocation marks.
 *
 * This is the request hot path, so it is written as plain (async) functions
 * returning Either rather than TaskEither pipelines: the benchmark showed the
 * pipeline plumbing costing more than the cryptography. The engine exposes
 * TaskEither at its surface.
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidCookie, isRejection, type SessionError } from '../errors.js'
import { verdict } from '../policy/revocation.js'
import type { Binding } from '../wire/codec.js'
import { chunkName, fitsCookieLine, joinChunks, MAX_CHUNKS, type RequestCookies } from '../wire/cookies.js'
import { HEADER_ENCODED_SIZE } from '../wire/header.js'
import { cookieName, type EngineContext, nowSeconds } from './context.js'
import { authenticCookie, type CookieKind, seenHeader, TOO_LARGE } from './open-header.js'
import { decrypt, decryptRemember, type Opened, opened, spentSlowKey } from './open-payload.js'
import { type Payload, payloadOf, readRecord } from './record.js'
import { marksOf } from './revocation.js'
import type { SessionImpl } from './session.js'

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

/**
 * The values to try for a cookie name: each one sent under it (a sibling
 * subdomain can send one beside ours), at most MAX_CANDIDATES, first one first.
 */
const candidatesOf = (cookies: RequestCookies, name: string): readonly (string | undefined)[] => {
  const all = cookies.all(name)
  return all.length === 0 ? NONE : all
}

const NONE: readonly (string | undefined)[] = [undefined]

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
