/**
 * Cookie header parsing and Set-Cookie lines (RFC 6265bis §5.6, §5.7), with
 * chunking of large sessions over `name`, `name2` … `name9`.
 */
/**
 * A browser keeps a cookie whose name and value together take at most 4096
 * bytes (RFC 6265bis §5.6 step 4; attributes have their own limit, §5.6.1).
 * lua-resty-session splits at the same bound, and its reader expects exactly
 * its own split.
 */
export const MAX_NAME_VALUE = 4096
export const MAX_CHUNKS = 9
/** Cookie headers longer than this are cut at the last whole cookie before it. */
export const MAX_COOKIE_HEADER = 64 * 1024

const EXPIRE = '; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0'

/**
 * Parses a Cookie header into a Map (never a plain object, so names such as
 * `__proto__` are just names). When a name repeats, the first one wins:
 * browsers send the cookie with the most specific path first (RFC 6265 §5.4).
 */
export const parseCookieHeader = (header: string | readonly string[] | undefined): Map<string, string> => {
  const cookies = new Map<string, string>()
  if (header !== undefined) scan(cookieText(header), undefined, cookies)
  return cookies
}

/**
 * The value of one cookie, as `parseCookieHeader(header).get(name)` would
 * give it, without building the Map: what a request that never reads its
 * session looks up.
 */
export const cookieValueOf = (header: string | readonly string[] | undefined, name: string): string | undefined =>
  header === undefined ? undefined : scan(cookieText(header), name, undefined)

/** The header as one string, cut at the last whole cookie before MAX_COOKIE_HEADER. */
const cookieText = (header: string | readonly string[]): string => {
  const text = typeof header === 'string' ? header : header.join('; ')
  return text.length > MAX_COOKIE_HEADER ? text.slice(0, text.lastIndexOf(';', MAX_COOKIE_HEADER) + 1) : text
}

/**
 * One pass over `name=value; …` with indexOf, slicing only names and values
 * (this runs on every request). With `only`, returns the first value of that
 * name and collects nothing; otherwise puts each name's first value in `into`.
 */
const scan = (text: string, only: string | undefined, into: Map<string, string> | undefined): string | undefined => {
  let start = 0
  while (start < text.length) {
    let end = text.indexOf(';', start)
    if (end === -1) end = text.length
    const eq = text.indexOf('=', start)
    // Looking for one name: a part whose name cannot contain it is skipped before slicing
    // anything, and once the name appears nowhere further on, nothing is left to find.
    const at = only === undefined ? start : text.indexOf(only, start)
    if (at === -1) return undefined
    if (eq > start && eq < end && at < eq) {
      const name = text.slice(start, eq).trim()
      if (name === only) return unquote(text.slice(eq + 1, end).trim())
      if (into !== undefined && name !== '' && !into.has(name)) into.set(name, unquote(text.slice(eq + 1, end).trim()))
    }
    start = end + 1
  }
  return undefined
}

const unquote = (value: string): string =>
  value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value

/** `name=value; attributes` */
export const cookieLine = (name: string, value: string, attributes: string): string => `${name}=${value}${attributes}`

/** A line that makes the browser drop the cookie now. */
export const expireLine = (name: string, attributes: string): string => `${name}=${attributes}${EXPIRE}`

/** The name of chunk `i` (1-based): `session`, `session2` … `session9`. */
export const chunkName = (name: string, i: number): string => {
  // Made once per cookie name: every save checks all nine for spare chunks to expire.
  let names = CHUNK_NAMES.get(name)
  if (names === undefined) {
    names = Array.from({ length: MAX_CHUNKS + 1 }, (_, n) => (n <= 1 ? name : `${name}${n}`))
    if (CHUNK_NAMES.size < 64) CHUNK_NAMES.set(name, names)
  }
  return names[i] ?? `${name}${i}`
}
const CHUNK_NAMES = new Map<string, string[]>()

/**
 * Splits header + payload over as many cookies as needed, as the reference
 * does: name + `=` + value of each chunk at most 4096 bytes, the attributes
 * not counted. Returns undefined when 9 cookies are not enough.
 */
export const chunkLines = (
  name: string,
  headerText: string,
  payload: string,
  attributes: string,
): { readonly lines: string[]; readonly firstChunk: string } | undefined => {
  const lines: string[] = []
  let firstChunk = ''
  let offset = 0
  for (let i = 1; i <= MAX_CHUNKS; i++) {
    const n = chunkName(name, i)
    const prefix = i === 1 ? headerText : ''
    const room = MAX_NAME_VALUE - Buffer.byteLength(n) - 1 - prefix.length
    if (room <= 0) return undefined
    const part = payload.slice(offset, offset + room)
    if (i === 1) firstChunk = part
    lines.push(cookieLine(n, prefix + part, attributes))
    offset += part.length
    if (offset >= payload.length) return { lines, firstChunk }
  }
  return undefined
}

/**
 * Collects a chunked payload from the request cookies: the part of `name`
 * after the header, then `name2` … while the expected size is not reached.
 * Returns the joined payload and how many cookies carried it.
 */
export const joinChunks = (
  cookies: ReadonlyMap<string, string>,
  name: string,
  first: string,
  size: number,
): { readonly payload: string; readonly count: number } | undefined => {
  let payload = first
  let count = 1
  while (payload.length < size && count < MAX_CHUNKS) {
    const next = cookies.get(chunkName(name, count + 1))
    if (next === undefined || next === '') return undefined
    payload += next
    count++
  }
  return payload.length === size ? { payload, count } : undefined
}

/** IMF-fixdate (RFC 9110 §5.6.7) for the Expires attribute. */
export const httpDate = (epochSeconds: number): string => new Date(epochSeconds * 1000).toUTCString()
