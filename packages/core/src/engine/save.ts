/**
 * Saving: the session sealed under a new session id (seal.ts), then in cookie
 * storage written as chunked Set-Cookie lines, in server storage written to
 * the store first (write-record.ts) with the cookie naming the record. Like
 * opening, this hot path is plain async code returning Either.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { SessionError } from '../errors.js'
import { chunkLines, chunkName, expireLine, httpDate, MAX_CHUNKS } from '../wire/cookies.js'
import { cookieName, type EngineContext } from './context.js'
import type { CookieKind } from './open-header.js'
import { type PreparedId, prepareRemember, sealFor } from './seal.js'
import type { CookieMeta, SessionImpl } from './session.js'
import { writeRecord } from './write-record.js'

/** Remember cookies persist: Max-Age and Expires agree (the reference's Expires ignores rotations). */
const rememberAttributes = (ctx: EngineContext, ttl: number, now: number) =>
  `${ctx.o.cookie.attributes}; Expires=${httpDate(now + ttl)}; Max-Age=${ttl}`

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

/** Seals and writes one cookie (session or remember), updating the session's meta. */
export const saveCookie = async (
  ctx: EngineContext,
  s: SessionImpl,
  kind: CookieKind,
  now: number,
): Promise<E.Either<SessionError, void>> => {
  if (!ctx.server)
    return saveLocalCookie(ctx, s, kind, now, kind === 'remember' ? await prepareRemember(ctx) : undefined)
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
  prepared?: PreparedId,
): E.Either<SessionError, void> => {
  const made = sealFor(ctx, s, kind, now, prepared)
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
