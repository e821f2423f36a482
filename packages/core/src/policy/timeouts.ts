/**
 * The timeout policy: one pure function of (header times, options, now).
 * Limits are strict (`>`), so a session exactly at its limit is still valid.
 */

import { MAX_IDLING_OFFSET, type SessionTimes } from '../wire/header.js'

export type { SessionTimes }

export interface Timeouts {
  readonly idlingTimeout: number
  readonly rollingTimeout: number
  readonly absoluteTimeout: number
  readonly touchThreshold: number
  readonly clockSkew: number
}

export type Decision =
  | { readonly _tag: 'Reject'; readonly timeout: 'idle' | 'rolling' | 'absolute' }
  | { readonly _tag: 'Future' }
  | { readonly _tag: 'Keep' }
  | { readonly _tag: 'Touch'; readonly idling: number }
  | { readonly _tag: 'Rotate' }

// The decisions without data are shared: the policy runs on every request.
const FUTURE: Decision = { _tag: 'Future' }
export const KEEP: Decision = { _tag: 'Keep' }
const ROTATE: Decision = { _tag: 'Rotate' }

/** Offsets are clamped to what the header can hold; negative ones (clock skew) become 0. */
export const clampOffset = (value: number, max: number): number => Math.min(Math.max(value, 0), max)

/** Elapsed times since creation, since the last rotation, and since the last touch. */
export const elapsed = (t: SessionTimes, now: number) => {
  const absolute = Math.max(now - t.creation, 0)
  const rolling = absolute - t.rolling
  return { absolute, rolling, idle: rolling - t.idling }
}

/** Whether the session may be used at `now`, and whether it should be kept, touched or rotated. */
export const decide = (t: SessionTimes, o: Timeouts, now: number): Decision => {
  if (t.creation - now > o.clockSkew) return FUTURE
  // Offsets pointing past now (wrapped, as the reference packs a negative one, or forged) would make
  // the elapsed times negative and silently turn the rolling and idle timeouts off.
  const rotated = t.creation + t.rolling
  if (rotated - now > o.clockSkew || rotated + t.idling - now > o.clockSkew) return FUTURE
  const e = elapsed(t, now)
  if (o.absoluteTimeout > 0 && e.absolute > o.absoluteTimeout) return { _tag: 'Reject', timeout: 'absolute' }
  if (o.rollingTimeout > 0 && e.rolling > o.rollingTimeout) return { _tag: 'Reject', timeout: 'rolling' }
  if (o.idlingTimeout > 0 && e.idle > o.idlingTimeout) return { _tag: 'Reject', timeout: 'idle' }
  if (o.rollingTimeout > 0 && e.rolling > Math.floor(o.rollingTimeout * 0.75)) return ROTATE
  if (o.idlingTimeout > 0 && e.idle > o.touchThreshold) {
    return { _tag: 'Touch', idling: clampOffset(now - t.creation - t.rolling, MAX_IDLING_OFFSET) }
  }
  return KEEP
}

/** Seconds left before the nearest timeout (the `Session-Timeout` header), or undefined when none applies. */
export const remaining = (t: SessionTimes, o: Timeouts, now: number) => {
  const e = elapsed(t, now)
  const idle = o.idlingTimeout > 0 ? o.idlingTimeout - e.idle : undefined
  const rolling = o.rollingTimeout > 0 ? o.rollingTimeout - e.rolling : undefined
  const absolute = o.absoluteTimeout > 0 ? o.absoluteTimeout - e.absolute : undefined
  const all = [idle, rolling, absolute].filter((x): x is number => x !== undefined)
  return { idle, rolling, absolute, nearest: all.length > 0 ? Math.min(...all) : undefined }
}

/**
 * Seconds a server-side record (or a remember cookie) should live: the rolling
 * timeout left, capped by the absolute timeout left (the reference does not cap
 * on every save), in whole seconds, at least 1 s, and never beyond 400 days.
 */
export const storeTtl = (
  creation: number,
  rolling: number,
  rollingTimeout: number,
  absoluteTimeout: number,
  now: number,
): number => {
  const MAX_TTL = 34_560_000
  let ttl = rollingTimeout > 0 && rollingTimeout < MAX_TTL ? rollingTimeout : MAX_TTL
  ttl -= Math.max(now - creation - rolling, 0)
  if (absoluteTimeout > 0) ttl = Math.min(ttl, absoluteTimeout - Math.max(now - creation, 0))
  // Stores count whole seconds; rounding up keeps the record for the whole life of a fractional timeout.
  return Math.max(Math.ceil(ttl), 1)
}
