/**
 * CSRF tokens: one random token per session, made at login and rotated with
 * the password; every state-changing form carries it. SameSite already keeps
 * the cookie off cross-site POSTs in current browsers; the token covers older
 * ones and same-site attackers (a sibling subdomain).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

/** The form field that carries the token. */
export const CSRF_FIELD = '_csrf'

export const newCsrfToken = (): string => randomBytes(32).toString('base64url')

/** Constant-time comparison of the submitted token with the session's. */
export const csrfMatches = (expected: string | undefined, submitted: unknown): boolean => {
  if (expected === undefined || typeof submitted !== 'string') return false
  const a = Buffer.from(expected)
  const b = Buffer.from(submitted)
  return a.length === b.length && timingSafeEqual(a, b)
}
