/**
 * Merging the engine's Set-Cookie lines into what the app already set, so
 * that each session cookie name appears exactly once (RFC 6265bis §4.1.1:
 * servers SHOULD NOT send two Set-Cookie lines with the same cookie name).
 */

/** The cookie name of a Set-Cookie line. */
export const cookieNameOf = (line: string): string => {
  const eq = line.indexOf('=')
  const semi = line.indexOf(';')
  const end = eq === -1 ? (semi === -1 ? line.length : semi) : semi === -1 ? eq : Math.min(eq, semi)
  return line.slice(0, end).trim()
}

/** Whatever Node's getHeader('set-cookie') returned, as a list of lines. */
export const setCookieLines = (value: unknown): string[] => {
  if (value === undefined || value === null) return []
  if (Array.isArray(value)) return value.map(String)
  return [String(value)]
}

/** The app's lines without those the session replaces, then the session's lines. */
export const mergeSetCookie = (existing: readonly string[], session: readonly string[]): string[] => {
  if (session.length === 0) return [...existing]
  if (existing.length === 0) return [...session]
  const ours = new Set(session.map(cookieNameOf))
  return [...existing.filter((line) => !ours.has(cookieNameOf(line))), ...session]
}

/** A response that sets a session cookie must not be stored by any cache (RFC 9111 §5.2.2.5). */
export const NO_STORE = 'no-store'
