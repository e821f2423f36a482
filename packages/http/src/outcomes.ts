/**
 * The one table from SessionError to HTTP. Rejections are the client's
 * cookie being unusable: the request goes on anonymous, and the cookie is
 * cleared only when it is known dead (tampered, expired, revoked, its record
 * gone); a cookie this app cannot judge is left alone. Everything else is a
 * server-side failure answered with a short plain-text body, never a stack.
 */
import type { InvalidReason, SessionError } from '@tessera/core'
import { INVALID_REASON_IS_DEAD } from '@tessera/core/internal'

/** How a binding answers a session error. */
export type HttpOutcome =
  | {
      readonly _tag: 'Anonymous'
      /** Expire the session cookie the client sent (false keeps it, e.g. for other audiences). */
      readonly clearCookie: boolean
    }
  | {
      readonly _tag: 'Fail'
      readonly status: number
      readonly body: string
      readonly headers: Readonly<Record<string, string>>
    }

const anonymous = (clearCookie: boolean): HttpOutcome => ({ _tag: 'Anonymous', clearCookie })
const fail = (status: number, body: string, headers: Record<string, string> = {}): HttpOutcome => ({
  _tag: 'Fail',
  status,
  body,
  headers,
})

/** Every SessionError tag and its HTTP outcome, in one place. */
export const HTTP_OUTCOMES: { readonly [K in SessionError['_tag']]: HttpOutcome } = {
  MissingCookie: anonymous(false),
  // Cleared when forged, tampered with or cut short; left when it decrypted but this app cannot
  // read it (`json`, `data`, `inflate`): see INVALID_COOKIE_OUTCOMES.
  InvalidCookie: anonymous(true),
  Expired: anonymous(true),
  // The cookie may still hold other audiences' sessions: not ours to clear.
  MissingAudience: anonymous(false),
  Revoked: anonymous(true),
  StoreUnavailable: fail(503, 'Session store unavailable', { 'Retry-After': '1' }),
  // Concurrent saves of one session kept colliding: the client did nothing wrong and a retry will
  // succeed, so this is a transient server condition (503 + Retry-After), not a 409 about the request.
  Conflict: fail(503, 'Session busy, retry', { 'Retry-After': '1' }),
  // maxSessionsPerSubject with reject-new is a policy refusal a retry cannot fix: 403, like a quota.
  SessionLimit: fail(403, 'Too many sessions'),
  // Too much data for nine cookies is a programmer error, not the client's.
  TooLarge: fail(500, 'Session too large'),
  // Data JSON cannot carry (a BigInt, a cycle) was put in the session by the app: a programmer error too.
  UnsavableData: fail(500, 'Session data cannot be saved'),
  // Data the app's own codec refuses is the app's error, like TooLarge.
  InvalidData: fail(500, 'Session data invalid'),
  Closed: fail(500, 'Session already ended'),
  // Upstream mode: the app tried to write a session the gateway owns, a programmer error.
  UpstreamReadOnly: fail(500, 'Session is the gateway’s'),
  ConfigError: fail(500, 'Session misconfigured'),
}

/**
 * InvalidCookie by reason. Known dead, cleared: `header`, `size`, `type`, `flags`,
 * `mac`, `future`, `chunk`, `payload`, `decrypt` (forged, tampered with, cut
 * short), `record` (its server-side record is gone). Not judged, left alone:
 * `inflate`, `json`, `data` (its MAC and tag are ours, so a holder of the
 * secret wrote it: a gateway, or another app on the domain whose data this
 * app's schema refuses).
 */
export const INVALID_COOKIE_OUTCOMES: { readonly [R in InvalidReason]: HttpOutcome } = Object.fromEntries(
  Object.entries(INVALID_REASON_IS_DEAD).map(([reason, dead]) => [reason, anonymous(dead)]),
) as { readonly [R in InvalidReason]: HttpOutcome }

/** The HTTP outcome of a session error. */
export const httpOutcomeOf = (e: SessionError): HttpOutcome =>
  e._tag === 'InvalidCookie' ? INVALID_COOKIE_OUTCOMES[e.reason] : HTTP_OUTCOMES[e._tag]

/**
 * What the Promise API rejects with when the engine fails on the server side.
 * `status` / `statusCode` / `expose` let Express and Koa error handlers pick
 * the status; the bindings still answer it with the table's short body.
 */
export class SessionHttpError extends Error {
  readonly status: number
  readonly statusCode: number
  readonly expose = false
  readonly headers: Readonly<Record<string, string>>
  constructor(
    readonly error: SessionError,
    outcome: Extract<HttpOutcome, { _tag: 'Fail' }>,
  ) {
    super(outcome.body)
    this.name = 'SessionHttpError'
    this.status = outcome.status
    this.statusCode = outcome.status
    this.headers = outcome.headers
    // One line, not a stack: Express's default handler prints `stack` for every failed request,
    // and where a store call failed is the store's business (it logs the outage once).
    this.stack = `${this.name}: ${outcome.body} (${detailOf(error)})`
  }
}

/** What failed, in a few words: the store operation and its cause, or the error's tag. */
const detailOf = (e: SessionError): string => {
  if (e._tag !== 'StoreUnavailable') return e._tag
  const cause = e.cause instanceof Error ? e.cause.message : String(e.cause)
  return `${e._tag}: ${e.operation}: ${cause.split('\n')[0]}`
}

/** True for the error the Promise API rejects with. */
export const isSessionHttpError = (e: unknown): e is SessionHttpError => e instanceof SessionHttpError
