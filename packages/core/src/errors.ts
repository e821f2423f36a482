/**
 * The one error model: every failure the engine reports is a value of this
 * tagged union. `throw` is kept for programmer defects and invalid options.
 */

/** Why a cookie was rejected before its data could be trusted. */
export type InvalidReason =
  | 'header' // too short, not base64url, or an impossible field
  | 'type' // cookie type byte is not 1
  | 'flags' // unknown flag bits, storage flag not the configured mode, or not bound as `bind` says
  | 'mac' // message authentication code mismatch (tampered, foreign secret, wrong binding)
  | 'future' // creation time, or a time its offsets point at, further in the future than clockSkew
  | 'chunk' // a chunk is missing, or chunks do not belong together
  | 'size' // a cookie's name=value is longer than any browser sends (4096 bytes)
  | 'payload' // payload length does not match the header, or not base64url
  | 'decrypt' // AES-GCM authentication failed, or a remember cookie's key could not be derived
  | 'inflate' // deflated payload does not inflate
  | 'json' // plaintext is not the expected JSON shape
  | 'data' // data failed the audience's io-ts codec
  | 'record' // server-side record missing or malformed
  | 'kind' // a session cookie sent as the remember cookie, or a remember cookie as the session cookie
  | 'busy' // the remember cookie was not tried: too many of its slow keys were being derived (see slow-keys.ts)

export type Timeout = 'idle' | 'rolling' | 'absolute'

export interface MissingCookie {
  readonly _tag: 'MissingCookie'
}
export interface InvalidCookie {
  readonly _tag: 'InvalidCookie'
  readonly reason: InvalidReason
  readonly detail?: string
}
export interface Expired {
  readonly _tag: 'Expired'
  readonly timeout: Timeout
  readonly remember: boolean
}
export interface MissingAudience {
  readonly _tag: 'MissingAudience'
  readonly audience: string
}
export interface Revoked {
  readonly _tag: 'Revoked'
  readonly reason: 'logout' | 'invalidated' | 'evicted'
}
export interface StoreUnavailable {
  readonly _tag: 'StoreUnavailable'
  readonly operation: string
  readonly cause: unknown
}
export interface Conflict {
  readonly _tag: 'Conflict'
  readonly attempts: number
}
export interface SessionLimit {
  readonly _tag: 'SessionLimit'
  readonly max: number
}
export interface TooLarge {
  readonly _tag: 'TooLarge'
  readonly bytes: number
  readonly limit: number
}
/** Session data (or info) that JSON cannot carry: a BigInt, a cycle, a throwing toJSON, nesting too deep. */
export interface UnsavableData {
  readonly _tag: 'UnsavableData'
  readonly detail: string
}
export interface Closed {
  readonly _tag: 'Closed'
}
/** The app's data for an audience fails that audience's codec: refused on save, nothing is issued or stored. */
export interface InvalidData {
  readonly _tag: 'InvalidData'
  readonly audience: string
}
/**
 * Upstream mode: the gateway in front owns the cookie, so this call would
 * have to issue, change or clear it. `reason` says what stood in the way.
 */
export interface UpstreamReadOnly {
  readonly _tag: 'UpstreamReadOnly'
  readonly reason: 'cookie-storage' | 'data' | 'new-session' | 'touch'
  readonly detail: string
}

/** Every reason an engine call can fail. */
export type SessionError =
  | MissingCookie
  | InvalidCookie
  | Expired
  | MissingAudience
  | Revoked
  | StoreUnavailable
  | Conflict
  | SessionLimit
  | TooLarge
  | UnsavableData
  | InvalidData
  | Closed
  | UpstreamReadOnly
  | ConfigError

/** Errors that mean "the cookie the client sent cannot be used": clear it, go on anonymous. */
export type RejectedSession = MissingCookie | InvalidCookie | Expired | MissingAudience | Revoked

export const missingCookie: MissingCookie = { _tag: 'MissingCookie' }
export const invalidCookie = (reason: InvalidReason, detail?: string): InvalidCookie =>
  detail === undefined ? { _tag: 'InvalidCookie', reason } : { _tag: 'InvalidCookie', reason, detail }
export const expired = (timeout: Timeout, remember = false): Expired => ({ _tag: 'Expired', timeout, remember })
export const missingAudience = (audience: string): MissingAudience => ({ _tag: 'MissingAudience', audience })
export const revoked = (reason: Revoked['reason']): Revoked => ({ _tag: 'Revoked', reason })
export const storeUnavailable = (operation: string, cause: unknown): StoreUnavailable => ({
  _tag: 'StoreUnavailable',
  operation,
  cause,
})
export const conflict = (attempts: number): Conflict => ({ _tag: 'Conflict', attempts })
export const closed: Closed = { _tag: 'Closed' }
export const upstreamReadOnly = (reason: UpstreamReadOnly['reason'], detail: string): UpstreamReadOnly => ({
  _tag: 'UpstreamReadOnly',
  reason,
  detail,
})
export const unsavableData = (cause: unknown): UnsavableData => ({
  _tag: 'UnsavableData',
  detail: cause instanceof Error ? cause.message : String(cause),
})
export const invalidData = (audience: string): InvalidData => ({ _tag: 'InvalidData', audience })

/**
 * Whether a cookie rejected for this reason is known dead (cleared) or could
 * not be judged (left alone). Before the data is decrypted, a failure means
 * the cookie was forged, tampered with, cut short or is for no one: dead.
 * After it decrypted (so its MAC and tag are ours), a failure means this app
 * cannot read what a holder of the secret wrote, e.g. a gateway or another
 * app on the same domain: not the client's fault, and not ours to destroy.
 */
export const INVALID_REASON_IS_DEAD: { readonly [R in InvalidReason]: boolean } = {
  header: true,
  size: true,
  type: true,
  flags: true,
  mac: true,
  future: true,
  chunk: true,
  payload: true,
  decrypt: true,
  inflate: false,
  json: false,
  data: false,
  record: true,
  kind: true,
  busy: false,
}

/**
 * True when the client's cookie is known dead (tampered, expired, revoked,
 * its record gone) and may be cleared; false for a cookie this app cannot
 * judge (its data fails this app's schema, it has no entry for this
 * audience), which is left as it is while the request goes on anonymous.
 */
export const isKnownDead = (e: SessionError): boolean =>
  e._tag === 'Expired' || e._tag === 'Revoked' || (e._tag === 'InvalidCookie' && INVALID_REASON_IS_DEAD[e.reason])

/** True when the client's cookie is unusable (as opposed to a server-side failure). */
export const isRejection = (e: SessionError): e is RejectedSession =>
  e._tag === 'MissingCookie' ||
  e._tag === 'InvalidCookie' ||
  e._tag === 'Expired' ||
  e._tag === 'MissingAudience' ||
  e._tag === 'Revoked'

/** Invalid options: thrown by `createSessionEngine`, returned by `decodeOptions`. Lists every problem. */
export class ConfigError extends Error {
  readonly _tag = 'ConfigError' as const
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
  }
}
