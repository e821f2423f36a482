/**
 * The port of revocation marks: what cookie storage needs to end sessions
 * whose cookies it cannot take back (logout, "log out everywhere"). A
 * per-key denylist and a per-(audience, subject) not-before mark, each
 * living until a given time. Server storage does not use it (ending a
 * session there deletes its record).
 *
 * Times crossing the port are epoch SECONDS.
 */
import type { SubjectRef } from './subject-ref.js'

/**
 * A store of revocation marks: all a cookie-storage deployment needs to
 * revoke. Every function may reject (throw) when the backend is
 * unreachable; the engine turns that into `StoreUnavailable`. Expired marks
 * must never count, whether or not the backend has removed them yet.
 */
export interface RevocationStore {
  /**
   * Deny a session key until `until` (epoch seconds): the cookie-mode logout
   * mark. `now` is the caller's time, so a store that expires marks itself
   * counts their life from the caller's clock, not its own.
   */
  readonly deny: (name: string, key: string, until: number, now: number) => Promise<void>
  /** True when `key` is on the denylist at `now`. */
  readonly isDenied: (name: string, key: string, now: number) => Promise<boolean>
  /**
   * Sessions of `ref` last issued (saved) before `time` (the caller's now) are
   * revoked; the mark lives until `until`. A later call with an earlier time
   * never lowers it.
   */
  readonly setNotBefore: (name: string, ref: SubjectRef, time: number, until: number) => Promise<void>
  /** The latest live not-before mark among `refs`, or null when none has one. */
  readonly getNotBefore: (name: string, refs: readonly SubjectRef[], now: number) => Promise<number | null>
}

// Every function of the port, no more: the mapped type makes a missing or extra one a type error.
const MARK: { readonly [K in keyof RevocationStore]: true } = {
  deny: true,
  isDenied: true,
  setNotBefore: true,
  getNotBefore: true,
}

/** The functions of `RevocationStore`: what the engine lifts and checks a store of marks for. */
export const MARK_FUNCTIONS = Object.keys(MARK) as readonly (keyof RevocationStore)[]
