/**
 * Options decoded once, at construction, against schema.ts: every problem is
 * reported, not just the first; defaults applied and every derived value
 * (secrets, cookie attributes, binding flags) computed once.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { ConfigError } from '../errors.js'
import { FLAG_BIND_IP, FLAG_BIND_SCHEME, FLAG_BIND_USER_AGENT } from '../wire/header.js'
import { type BindName, type EngineOptions, OptionsInput, type ResolvedOptions, type SessionOptions } from './schema.js'
import { MAKE_ONE, MIN_SECRET_BYTES, weakness } from './secrets.js'

/** The options without the secrets, for `engine.options`. */
export const withoutSecrets = (o: ResolvedOptions): EngineOptions => {
  const { secrets: _, ...shown } = o
  return Object.freeze(shown)
}

const BIND_FLAGS: Record<t.TypeOf<typeof BindName>, number> = {
  ip: FLAG_BIND_IP,
  scheme: FLAG_BIND_SCHEME,
  'user-agent': FLAG_BIND_USER_AGENT,
  user_agent: FLAG_BIND_USER_AGENT,
}

// RFC 6265 §4.1.1 token characters; a name outside them could split a header.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

// Attribute values must not carry CR, LF, ';' or other controls (RFC 6265bis §5.6).
const isSafeValue = (v: string): boolean => {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i)
    if (c < 0x20 || c === 0x7f || c === 0x3b) return false
  }
  return true
}

/** A value as an error message shows it; whatever JSON cannot show (a BigInt, a cycle) is shown by String. */
const shown = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return typeof v === 'object' && v !== null ? 'an object JSON cannot show' : String(v)
  }
}

const describe = (errors: t.Errors): string[] =>
  errors.map((e) => {
    const path = e.context
      .map((c) => c.key)
      .filter((k) => k !== '')
      .join('.')
    return `${path || 'options'}: expected ${e.context[e.context.length - 1]?.type.name ?? 'a valid value'}, got ${shown(e.value)}`
  })

const bytesOf = (v: unknown): Buffer | undefined =>
  typeof v === 'string' ? Buffer.from(v, 'utf8') : v instanceof Uint8Array ? Buffer.from(v) : undefined

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The fields of ill-typed input that do pass their own codec, so the other rules can still run on them. */
const wellTypedPart = (input: unknown): Partial<SessionOptions> => {
  if (!isRecord(input)) return {}
  const part: Record<string, unknown> = {}
  for (const [key, codec] of Object.entries(OptionsInput.type.props)) {
    const value = input[key]
    if (value !== undefined && E.isRight((codec as t.Mixed).decode(value))) part[key] = value
  }
  return part
}

/** Decodes options, returning every problem found. */
export const decodeOptions = (input: unknown): E.Either<ConfigError, ResolvedOptions> => {
  const decoded = OptionsInput.decode(input)
  // The rules below also run on input that failed its types, so one error lists every problem.
  const problems: string[] = E.isLeft(decoded) ? describe(decoded.left) : []
  const o = (E.isRight(decoded) ? decoded.right : wellTypedPart(input)) as SessionOptions
  const secrets = resolveSecrets(o, problems)
  const cookie = resolveCookie(o, problems)
  const logout = o.logout ?? {}
  for (const [field, value] of [
    ['audience', o.audience],
    ['logout.queryArg', logout.queryArg],
    ['logout.postArg', logout.postArg],
    ['logout.redirectTo', logout.redirectTo],
  ] as const) {
    if (value !== undefined && !isSafeValue(value))
      problems.push(`${field}: must not contain control characters or ';'`)
  }
  if (o.audience === '') problems.push('audience: must not be empty')
  if (logout.response === 'redirect' && !logout.redirectTo)
    problems.push('logout.redirectTo: required when logout.response is "redirect"')
  for (const [audience, codec] of Object.entries(o.schemas ?? {})) {
    if (!(codec instanceof t.Type)) problems.push(`schemas.${audience}: must be an io-ts codec`)
  }
  if (problems.length > 0 || secrets === undefined || cookie === undefined || E.isLeft(decoded)) {
    return E.left(new ConfigError(problems))
  }
  return E.right({
    secrets,
    storage: o.storage,
    audience: o.audience ?? 'default',
    idlingTimeout: o.idlingTimeout ?? 900,
    rollingTimeout: o.rollingTimeout ?? 3600,
    absoluteTimeout: o.absoluteTimeout ?? 86400,
    staleTtl: o.staleTtl ?? 10,
    touchThreshold: o.touchThreshold ?? 60,
    compressionThreshold: o.compressionThreshold ?? 1024,
    remember: o.remember ?? false,
    rememberSafety: o.rememberSafety ?? 'Medium',
    rememberRollingTimeout: o.rememberRollingTimeout ?? 604800,
    rememberAbsoluteTimeout: o.rememberAbsoluteTimeout ?? 2592000,
    tagSessionIds: o.tagSessionIds ?? true,
    hashStorageKey: o.hashStorageKey ?? false,
    hashSubject: o.hashSubject ?? false,
    storeMetadata: o.storeMetadata ?? false,
    enforceSameSubject: o.enforceSameSubject ?? false,
    bindFlags: (o.bind ?? []).reduce((flags, b) => flags | BIND_FLAGS[b], 0),
    requestHeaders: o.requestHeaders ?? [],
    responseHeaders: o.responseHeaders ?? [],
    clockSkew: o.clockSkew ?? 60,
    maxSessionsPerSubject: o.maxSessionsPerSubject,
    onSessionLimit: o.onSessionLimit ?? 'evict-oldest',
    revocationFailMode: o.revocationFailMode ?? 'closed',
    upstream: o.upstream ?? false,
    recentCookies: o.recentCookies ?? true,
    cookie,
    logout: {
      methods: logout.methods ?? ['POST', 'DELETE'],
      queryArg: logout.queryArg ?? 'session_logout',
      postArg: logout.postArg ?? 'session_logout',
      readBody: logout.readBody ?? false,
      response: logout.response ?? 'ok',
      redirectTo: logout.redirectTo ?? '/',
    },
    schemas: new Map(Object.entries(o.schemas ?? {}) as [string, t.Mixed][]),
  })
}

/** Like `decodeOptions`, but throws the ConfigError: for construction time. */
export const resolveOptions = (input: unknown): ResolvedOptions =>
  E.getOrElseW((e: ConfigError) => {
    throw e
  })(decodeOptions(input))

const resolveSecrets = (o: SessionOptions, problems: string[]): ResolvedOptions['secrets'] | undefined => {
  const weakAllowed = o.allowWeakSecret === true
  const refuse = (field: string, why: string) =>
    problems.push(
      `${field}: ${why}; ${MAKE_ONE}, or set allowWeakSecret to read cookies of a deployment that chose a weak secret`,
    )
  const check = (field: string, v: unknown, ikm: boolean): Buffer | undefined => {
    const bytes = bytesOf(v)
    if (bytes === undefined) problems.push(`${field}: must be a string or bytes`)
    else if (ikm && bytes.length !== 32) problems.push(`${field}: must be exactly 32 bytes, got ${bytes.length}`)
    else if (!ikm && bytes.length === 0) problems.push(`${field}: must not be empty`)
    else if (!weakAllowed) {
      const why = weakness(bytes, ikm ? 32 : MIN_SECRET_BYTES)
      if (why !== undefined) refuse(field, why)
    }
    return bytes
  }
  if (o.ikm !== undefined && o.secret !== undefined) problems.push('secret: give either secret or ikm, not both')
  if (o.ikm === undefined && o.secret === undefined) {
    problems.push('secret: required (or ikm): sessions cannot be sealed without key material')
    return undefined
  }
  const isIkm = o.ikm !== undefined
  const primary = check(isIkm ? 'ikm' : 'secret', isIkm ? o.ikm : o.secret, isIkm)
  const fallbackInput = isIkm ? (o.ikmFallbacks ?? []) : (o.secretFallbacks ?? [])
  const fallbackField = isIkm ? 'ikmFallbacks' : 'secretFallbacks'
  const fallbacks = fallbackInput.map((v, i) => check(`${fallbackField}.${i}`, v, isIkm))
  fallbacks.forEach((f, i) => {
    // A fallback equal to the primary is a rotation that never happened: the old secret is still the key.
    if (!weakAllowed && f !== undefined && primary !== undefined && f.equals(primary))
      refuse(`${fallbackField}.${i}`, `equal to ${isIkm ? 'ikm' : 'secret'}: a rotation needs a new secret`)
  })
  if (primary === undefined || fallbacks.some((f) => f === undefined)) return undefined
  return { primary, fallbacks: fallbacks as Buffer[], isIkm }
}

const resolveCookie = (o: SessionOptions, problems: string[]): ResolvedOptions['cookie'] | undefined => {
  const c = o.cookie ?? {}
  const prefix = c.prefix ?? ''
  const name = prefix + (c.name ?? 'session')
  const rememberName = prefix + (o.rememberCookieName ?? 'remember')
  // Secure unless asked otherwise: browsers keep Secure cookies on http://localhost, so development works.
  const secure = c.secure ?? true
  const path = c.path ?? '/'
  const domain = c.domain
  const sameSite = c.sameSite ?? 'Lax'
  for (const [field, value] of [
    ['cookie.name', c.name ?? 'session'],
    ['rememberCookieName', o.rememberCookieName ?? 'remember'],
  ] as const) {
    if (!TOKEN.test(value)) problems.push(`${field}: ${JSON.stringify(value)} is not a valid cookie name`)
  }
  for (const [field, value] of [
    ['cookie.path', c.path],
    ['cookie.domain', c.domain],
  ] as const) {
    if (value !== undefined && !isSafeValue(value))
      problems.push(`${field}: must not contain control characters or ';'`)
  }
  // The prefix rules hold however the prefix arrives (the prefix option or the name itself), and
  // browsers match the prefixes without regard to case (RFC 6265bis §4.1.3).
  const prefixed = [name, rememberName].map((n) => n.toLowerCase())
  if (prefixed.some((n) => n.startsWith('__host-'))) {
    // RFC 6265bis §4.1.3.2: Secure, Path=/, no Domain.
    if (!secure) problems.push('cookie.secure: the __Host- prefix requires Secure')
    if (path !== '/') problems.push('cookie.path: the __Host- prefix requires Path=/')
    if (domain !== undefined) problems.push('cookie.domain: the __Host- prefix forbids Domain')
  }
  if (prefixed.some((n) => n.startsWith('__secure-')) && !secure)
    problems.push('cookie.secure: the __Secure- prefix requires Secure')
  if (sameSite === 'None' && secure !== true) problems.push('cookie.sameSite: SameSite=None requires cookie.secure')
  if (c.partitioned === true && secure !== true) problems.push('cookie.partitioned: Partitioned requires cookie.secure')
  let attributes = ''
  if (domain && domain !== 'localhost') attributes += `; Domain=${domain}`
  attributes += `; Path=${path}; SameSite=${sameSite}`
  if (c.priority) attributes += `; Priority=${c.priority}`
  if (c.partitioned) attributes += '; Partitioned'
  if (secure) attributes += '; Secure'
  if (c.httpOnly ?? true) attributes += '; HttpOnly'
  return { name, rememberName, attributes, secure: secure === true }
}

/** Which connection values the `bind` option reads, so a binding fetches them only then (`req.ip` asks the socket). */
export const bindingNeeds = (o: EngineOptions): { readonly ip: boolean; readonly scheme: boolean } => ({
  ip: (o.bindFlags & FLAG_BIND_IP) !== 0,
  scheme: (o.bindFlags & FLAG_BIND_SCHEME) !== 0,
})
