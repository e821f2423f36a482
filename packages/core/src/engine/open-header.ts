/**
 * Opening's first step: a cookie's header parsed, authenticated (its MAC, in
 * constant time), of the kind it was sent as, and within its times. Nothing
 * here is decrypted or read from a store.
 */
import * as E from 'fp-ts/lib/Either.js'
import { expired, invalidCookie, missingCookie, type SessionError } from '../errors.js'
import { taggedOtherKind } from '../policy/ids.js'
import { type Decision, decide, KEEP, type SessionTimes } from '../policy/timeouts.js'
import * as b64 from '../wire/base64url.js'
import { type Binding, verifyMac } from '../wire/codec.js'
import { fitsCookieLine } from '../wire/cookies.js'
import {
  FLAG_FORGET,
  FLAG_STORAGE,
  HEADER_ENCODED_SIZE,
  HEADER_SIZE,
  type Header,
  KNOWN_FLAGS,
  MAX_ROLLING_OFFSET,
  readHeader,
} from '../wire/header.js'
import type { EngineContext } from './context.js'
import type { CookieMeta } from './session.js'

export type CookieKind = 'session' | 'remember'

/** Parses a 110-char header and checks its structure (type, flags, storage mode); not yet its MAC. */
export const parseHeader = (ctx: EngineContext, headerText: string): E.Either<SessionError, Header> => {
  if (headerText.length !== HEADER_ENCODED_SIZE) return E.left(invalidCookie('header', 'too short'))
  const bytes = b64.decode(headerText)
  if (bytes === undefined || bytes.length !== HEADER_SIZE) return E.left(invalidCookie('header', 'not base64url'))
  const header = readHeader(bytes)
  const fault = headerFault(ctx, bytes[0] as number, header.flags)
  return fault === undefined ? E.right(header) : E.left(fault)
}

/** What is structurally wrong with a header's type and flags for this engine, if anything. */
export const headerFault = (ctx: EngineContext, type: number, flags: number): SessionError | undefined => {
  if (type !== 1) return invalidCookie('type')
  if ((flags & ~KNOWN_FLAGS) !== 0) return invalidCookie('flags', 'unknown flag bits')
  if (((flags & FLAG_STORAGE) !== 0) !== ctx.server) return invalidCookie('flags', 'storage mode mismatch')
  // The options decide the binding, not the cookie: one issued before `bind` was on is refused.
  if ((flags & ctx.o.bindFlags) !== ctx.o.bindFlags) return invalidCookie('flags', 'not bound as the options say')
  return undefined
}

/** Verifies a parsed header's MAC in constant time, against the primary secret and then the fallbacks. */
export const verify = (
  ctx: EngineContext,
  header: Header,
  binding: Binding,
): E.Either<SessionError, { header: Header; km: CookieMeta['km'] }> => {
  const km = verifyMac(header, ctx.keyring, binding)
  return km === undefined ? E.left(invalidCookie('mac')) : E.right({ header, km })
}

/** Parses and authenticates a 110-char header. Structural checks first; then the MAC. */
export const authenticate = (
  ctx: EngineContext,
  headerText: string,
  binding: Binding,
): E.Either<SessionError, { header: Header; km: CookieMeta['km'] }> => {
  const header = parseHeader(ctx, headerText)
  return E.isLeft(header) ? header : verify(ctx, header.right, binding)
}

const KEPT: E.Either<SessionError, Decision> = E.right(KEEP)

/**
 * The policy on a header's times: Left when they reject the cookie, else the
 * decision (keep, touch, rotate). A keep is the shared `KEPT`.
 */
export const timesDecision = (
  ctx: EngineContext,
  t: SessionTimes,
  kind: CookieKind,
  now: number,
): E.Either<SessionError, Decision> => {
  const o = ctx.o
  const remember = kind === 'remember'
  if (remember && t.idling !== 0) return E.left(invalidCookie('header', 'remember cookie with idling offset'))
  if (now - t.creation > MAX_ROLLING_OFFSET) return E.left(expired('absolute', remember))
  const decision = decide(t, remember ? rememberTimeouts(o) : o, now)
  if (decision._tag === 'Future') return E.left(invalidCookie('future', 'creation time is in the future'))
  if (decision._tag === 'Reject') return E.left(expired(decision.timeout, remember))
  return decision === KEEP ? KEPT : E.right(decision)
}

/** The timeouts a remember cookie lives by: no idle timeout, the remember rolling and absolute ones. */
export const rememberTimeouts = (o: EngineContext['o']) => ({
  idlingTimeout: 0,
  rollingTimeout: o.rememberRollingTimeout,
  absoluteTimeout: o.rememberAbsoluteTimeout,
  touchThreshold: 0,
  clockSkew: o.clockSkew,
})

export type Authenticated = { readonly header: Header; readonly headerText: string; readonly km: CookieMeta['km'] }

export const TOO_LARGE = invalidCookie('size', 'larger than a browser sends')

/** The cookie's header, authenticated and within its timeouts; `value` is the whole first cookie. */
export const authenticCookie = (
  ctx: EngineContext,
  kind: CookieKind,
  name: string,
  value: string | undefined,
  binding: Binding,
  now: number,
): E.Either<SessionError, Authenticated> => {
  if (value === undefined || value === '') return E.left(missingCookie)
  if (!fitsCookieLine(name, value)) return E.left(TOO_LARGE)
  const headerText = value.slice(0, HEADER_ENCODED_SIZE)
  const authenticated = authenticate(ctx, headerText, binding)
  if (E.isLeft(authenticated)) return authenticated
  const header = authenticated.right.header
  const wrongKind = kindFault(header, kind)
  if (wrongKind !== undefined) return E.left(wrongKind)
  return withinTimes(ctx, header, authenticated.right.km, headerText, kind, now)
}

/**
 * Why an authenticated header is not of the kind it was sent as, if the
 * header can tell (see ids.ts): its id was tagged for the other kind, or it
 * says "forget", which no remember cookie says. Checked before any key is
 * derived from it.
 */
export const kindFault = (header: Header, kind: CookieKind): SessionError | undefined => {
  if (kind === 'remember' && (header.flags & FLAG_FORGET) !== 0)
    return invalidCookie('kind', 'a session cookie (it says forget) sent as the remember cookie')
  if (taggedOtherKind(header.sid, kind))
    return invalidCookie(
      'kind',
      kind === 'remember'
        ? 'a session cookie sent as the remember cookie'
        : 'a remember cookie sent as the session cookie',
    )
  return undefined
}

/** An authenticated header, if its times let the cookie be used at `now`. */
const withinTimes = (
  ctx: EngineContext,
  header: Header,
  km: CookieMeta['km'],
  headerText: string,
  kind: CookieKind,
  now: number,
): E.Either<SessionError, Authenticated> => {
  const decided = timesDecision(ctx, header, kind, now)
  // Explicit literals, not spreads: object spread was the largest cost of opening in profiles.
  return E.isLeft(decided) ? decided : E.right({ header, km, headerText })
}

/** A header seen (authenticated) before: only its times are checked again. */
export const seenHeader = (
  ctx: EngineContext,
  headerText: string,
  now: number,
): E.Either<SessionError, Authenticated> => {
  const header = parseHeader(ctx, headerText)
  return E.isLeft(header) ? header : withinTimes(ctx, header.right, ctx.keyring.primary, headerText, 'session', now)
}
