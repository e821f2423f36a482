/**
 * Revocation's rule: a cookie is ended when the store denies its id or its
 * chain (logout), or when its session was created before the subject's
 * not-before mark (log out everywhere). The marks are read by
 * engine/revocation.ts; this module decides from them.
 */
import { type Revoked, revoked } from '../errors.js'
import type { Header } from '../wire/header.js'

/** What the store says about one cookie: denied (its id or its chain), and the subject's latest not-before mark. */
export interface Marks {
  readonly denied: boolean
  readonly notBefore: number | null
}

/** Why marks revoke a cookie with this header, if they do: a session created before a not-before mark is ended. */
export const verdict = (header: Header, marks: Marks): Revoked | undefined => {
  if (marks.notBefore !== null && header.creation < marks.notBefore) return revoked('invalidated')
  return marks.denied ? revoked('logout') : undefined
}
