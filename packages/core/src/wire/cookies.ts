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
const MAX_NAME_VALUE = 4096
export const MAX_CHUNKS = 9
/** Cookie headers longer than this are cut at the last whole cookie before it. */
const MAX_COOKIE_HEADER = 64 * 1024

const EXPIRE = '; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0'

/** How many values of one name are kept: a sibling domain can add a few, a browser sends no more. */
export const MAX_CANDIDATES = 4

/**
 * The cookies of a request: a Map of each name's first value (never a plain
 * object, so names such as `__proto__` are just names), plus the later values
 * of a repeated name, at most MAX_CANDIDATES in all.
 */
export class RequestCookies extends Map<string, string> {
  /** Values after the first, per name, in header order; made only when a name repeats (rarely). */
  private later: Map<string, string[]> | undefined

  /** Whether `name` was sent more than once. */
  repeats(name: string): boolean {
    return this.later?.has(name) === true
  }

  /** Every value sent under `name`, first one first (at most MAX_CANDIDATES). */
  all(name: string): readonly string[] {
    const first = this.get(name)
    if (first === undefined) return []
    const more = this.later?.get(name)
    return more === undefined ? [first] : [first, ...more]
  }

  /** Whether another value of `name` is kept (its value is only sliced then). */
  keeps(name: string): boolean {
    return !this.has(name) || (this.later?.get(name)?.length ?? 0) < MAX_CANDIDATES - 1
  }

  /** Adds a value `keeps` let through. */
  add(name: string, value: string): void {
    if (!this.has(name)) {
      this.set(name, value)
      return
    }
    this.later ??= new Map()
    const more = this.later.get(name)
    if (more === undefined) this.later.set(name, [value])
    else more.push(value)
  }
}

/**
 * Parses a Cookie header. When a name repeats, the first value is the one
 * `get` gives: browsers send the cookie with the most specific path first
 * (RFC 6265 §5.4); the others are kept (a few) for `all`, since a sibling
 * subdomain can set a cookie of the same name that is sent alongside ours.
 */
export const parseCookieHeader = (header: string | readonly string[] | undefined): RequestCookies => {
  const cookies = new RequestCookies()
  if (header !== undefined) scan(cookieText(header), cookies)
  return cookies
}

/**
 * The value of one cookie, as `parseCookieHeader(header).get(name)` would
 * give it, without building the Map: what a request that never reads its
 * session looks up.
 */
export const cookieValueOf = (header: string | readonly string[] | undefined, name: string): string | undefined =>
  header === undefined ? undefined : find(cookieText(header), name)

/** The header as one string, cut at the last whole cookie before MAX_COOKIE_HEADER. */
const cookieText = (header: string | readonly string[]): string => {
  const text = typeof header === 'string' ? header : header.join('; ')
  return text.length > MAX_COOKIE_HEADER ? text.slice(0, text.lastIndexOf(';', MAX_COOKIE_HEADER) + 1) : text
}

/**
 * One pass over `name=value; …` with indexOf, slicing only names and values,
 * putting each name's values in `into`. Linear in the header: the next `=`
 * is searched for once and reused until the pass goes beyond it, so a
 * header of parts without `=` costs what any other header of its size does.
 */
const scan = (text: string, into: RequestCookies): void => {
  let start = 0
  let eq = -1
  while (start < text.length) {
    if (eq < start) {
      eq = text.indexOf('=', start)
      if (eq === -1) return
    }
    let end = text.indexOf(';', start)
    if (end === -1) end = text.length
    if (eq < end) {
      const name = text.slice(start, eq).trim()
      if (name !== '' && into.keeps(name)) into.add(name, valueAt(text, eq, end))
    }
    start = end + 1
  }
}

/**
 * The first value of `name` (a cookie-name token): each place the name
 * appears is checked where it stands (only blanks between it and the `;`
 * before it, only blanks between it and the `=` after it), so no part of the
 * header is read twice, wherever the name appears and however often.
 */
const find = (text: string, name: string): string | undefined => {
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
    let before = at - 1
    while (before >= 0 && isBlank(text.charCodeAt(before))) before--
    if (before !== -1 && text.charCodeAt(before) !== SEMICOLON) continue
    let eq = at + name.length
    while (eq < text.length && isBlank(text.charCodeAt(eq))) eq++
    if (text.charCodeAt(eq) !== EQUALS) continue
    const end = text.indexOf(';', eq)
    return valueAt(text, eq, end === -1 ? text.length : end)
  }
  return undefined
}

const SEMICOLON = 0x3b
const EQUALS = 0x3d
/** What String.prototype.trim removes around a name. */
const isBlank = (c: number): boolean =>
  c <= 0x20 ? c === 0x20 || (c >= 0x09 && c <= 0x0d) : c >= 0xa0 && /\s/.test(String.fromCharCode(c))

const valueAt = (text: string, eq: number, end: number): string => unquote(text.slice(eq + 1, end).trim())

const unquote = (value: string): string =>
  value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value

/**
 * Whether `name=value` fits what a browser keeps for one cookie (4096
 * bytes, RFC 6265bis §5.6): a longer one was never issued by us, nor sent by
 * a browser, and is refused before any cryptography runs on it.
 */
export const fitsCookieLine = (name: string, value: string): boolean => {
  const chars = name.length + 1 + value.length
  // UTF-16 length is a lower bound of UTF-8 length, three times it an upper bound.
  if (chars > MAX_NAME_VALUE) return false
  return (
    chars + 2 * value.length <= MAX_NAME_VALUE ||
    Buffer.byteLength(name) + 1 + Buffer.byteLength(value) <= MAX_NAME_VALUE
  )
}

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
