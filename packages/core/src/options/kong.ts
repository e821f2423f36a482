/**
 * Kong Gateway's Session plugin configuration (kong/plugins/session/schema.lua,
 * Kong 3.2+ on lua-resty-session 4.x) read the way Kong reads it, so that a
 * deployment can move between Kong and Tessera with the same cookies.
 */
import * as E from 'fp-ts/lib/Either.js'
import { ConfigError } from '../errors.js'
import { decodeOptions } from './options.js'
import type { LogoutMethod, SessionHeaderName, SessionOptions } from './schema.js'

type KongBind = 'ip' | 'scheme' | 'user-agent'
type KongMethod = Extract<LogoutMethod, 'GET' | 'POST' | 'DELETE'>

const HEADER_NAMES: readonly SessionHeaderName[] = [
  'id',
  'audience',
  'subject',
  'timeout',
  'idling-timeout',
  'rolling-timeout',
  'absolute-timeout',
]
const BIND_NAMES: readonly KongBind[] = ['ip', 'scheme', 'user-agent']
const KONG_METHODS: readonly KongMethod[] = ['GET', 'POST', 'DELETE']

/**
 * Kong's deprecated shorthands, in the schema's order. They carry no
 * `deprecation` property, so Kong lets the shorthand overwrite the field it
 * stands for even when that field is given too; we do the same.
 */
const SHORTHANDS: ReadonlyArray<{
  readonly name: string
  readonly type: 'number' | 'string' | 'boolean'
  readonly target?: string
  readonly translate?: (v: unknown) => unknown
}> = [
  { name: 'cookie_lifetime', type: 'number', target: 'rolling_timeout' },
  // Kong turns an explicit null into 0, which switches the idle timeout off.
  { name: 'cookie_idletime', type: 'number', target: 'idling_timeout', translate: (v) => v ?? 0 },
  // lua-resty-session 4 derives the renewal point itself; Kong only logs this one.
  { name: 'cookie_renew', type: 'number' },
  { name: 'cookie_discard', type: 'number', target: 'stale_ttl' },
  { name: 'cookie_samesite', type: 'string', target: 'cookie_same_site', translate: (v) => (v === 'off' ? 'Lax' : v) },
  { name: 'cookie_httponly', type: 'boolean', target: 'cookie_http_only' },
  { name: 'cookie_persistent', type: 'boolean', target: 'remember' },
]

/** Tessera's option paths, as decodeOptions names them, back to the Kong fields they came from. */
const KONG_NAMES: Readonly<Record<string, string>> = {
  audience: 'audience',
  storage: 'storage',
  idlingTimeout: 'idling_timeout',
  rollingTimeout: 'rolling_timeout',
  absoluteTimeout: 'absolute_timeout',
  staleTtl: 'stale_ttl',
  remember: 'remember',
  rememberCookieName: 'remember_cookie_name',
  rememberRollingTimeout: 'remember_rolling_timeout',
  rememberAbsoluteTimeout: 'remember_absolute_timeout',
  hashSubject: 'hash_subject',
  storeMetadata: 'store_metadata',
  bind: 'bind',
  requestHeaders: 'request_headers',
  responseHeaders: 'response_headers',
  'cookie.name': 'cookie_name',
  'cookie.path': 'cookie_path',
  'cookie.domain': 'cookie_domain',
  'cookie.sameSite': 'cookie_same_site',
  'cookie.httpOnly': 'cookie_http_only',
  'cookie.secure': 'cookie_secure',
  'logout.methods': 'logout_methods',
  'logout.queryArg': 'logout_query_arg',
  'logout.postArg': 'logout_post_arg',
  'logout.readBody': 'read_body_for_logout',
}

// Only stands in for the secret while cross-checking; never returned.
const PLACEHOLDER_SECRET = 'q8Fh2Lx7Vn4Tc9Rw1Kb6Zm3Ys5Pd0GjEo'

interface Check<T> {
  readonly expected: string
  readonly test: (v: unknown) => v is T
}

// Kong gives every string field len_min = 1 unless the schema says otherwise.
const nonEmptyString: Check<string> = {
  expected: 'a non-empty string',
  test: (v): v is string => typeof v === 'string' && v.length > 0,
}
const boolean: Check<boolean> = { expected: 'a boolean', test: (v): v is boolean => typeof v === 'boolean' }
// Kong's type is "number", fractions included; Tessera refuses only negatives.
const seconds: Check<number> = {
  expected: 'a non-negative number of seconds',
  test: (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0,
}
const oneOf = <T extends string>(values: readonly T[]): Check<T> => ({
  expected: `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
  test: (v): v is T => typeof v === 'string' && (values as readonly string[]).includes(v),
})
const KIND_OF_TYPE = { number: 'a number', string: 'a non-empty string', boolean: 'a boolean' } as const

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
// Kong resolves `{vault://…}` references itself; used literally they would key cookies with the wrong secret.
const isVaultReference = (v: string): boolean => v.startsWith('{vault://') && v.endsWith('}')

/**
 * Maps Kong's Session plugin config (Kong 3.x schema, snake_case, deprecated shorthands too) to Tessera's `SessionOptions`.
 *
 * Absent fields take Kong's defaults (SameSite=Strict, Secure, logout by POST/DELETE with
 * `session_logout`, cookie storage); `storage: "kong"` becomes `storage: "server"`. A JSON
 * null means what it means to Kong: the field is unset and lua-resty-session's own default
 * applies (e.g. `cookie_same_site: null` is Lax, `logout_methods: null` turns logout off).
 * Unknown fields are ignored. Kong makes up a random secret when none is given; this does
 * not: a missing secret stays missing so that `createSessionEngine` reports it, and the
 * secret's strength is judged there too (spread `allowWeakSecret: true` over the result to
 * read a deployment that chose a short secret).
 *
 * @throws ConfigError listing every field that Kong's schema or Tessera refuses.
 * @example
 * const options = fromKongConfig(JSON.parse(process.env.KONG_SESSION_CONF ?? '{}'))
 * const engine = createSessionEngine(options, { store })
 */
export const fromKongConfig = (config: unknown): SessionOptions => {
  if (!isRecord(config)) throw new ConfigError([`config: expected an object, got ${describeValue('config', config)}`])
  const problems: string[] = []
  const conf: Record<string, unknown> = { ...config }
  const origin = new Map<string, string>()

  for (const s of SHORTHANDS) {
    if (!Object.hasOwn(conf, s.name) || conf[s.name] === undefined) continue
    const value = conf[s.name]
    delete conf[s.name]
    const typeOk = value === null || (s.type === 'string' ? nonEmptyString.test(value) : typeof value === s.type)
    if (!typeOk) {
      problems.push(`${s.name}: expected ${KIND_OF_TYPE[s.type]}, got ${describeValue(s.name, value)}`)
      continue
    }
    if (s.target === undefined) continue
    conf[s.target] = s.translate ? s.translate(value) : value
    origin.set(s.target, s.name)
  }

  const label = (key: string): string => {
    const from = origin.get(key)
    return from === undefined ? key : `${key} (from ${from})`
  }

  /** undefined: absent and no Kong default; null: unset by the caller. Invalid values report and fall back to the default. */
  const pick = <T>(key: string, check: Check<T>, kongDefault?: T): T | null | undefined => {
    const value = Object.hasOwn(conf, key) ? conf[key] : undefined
    if (value === undefined) return kongDefault
    if (value === null) return null
    if (check.test(value)) return value
    problems.push(`${label(key)}: expected ${check.expected}, got ${describeValue(key, value)}`)
    return kongDefault
  }

  /** Kong's "set" type: an array of allowed strings, duplicates dropped. */
  const pickSet = <T extends string>(
    key: string,
    allowed: readonly T[],
    kongDefault?: readonly T[],
  ): readonly T[] | null | undefined => {
    const value = Object.hasOwn(conf, key) ? conf[key] : undefined
    if (value === undefined) return kongDefault
    if (value === null) return null
    if (!Array.isArray(value)) {
      problems.push(`${key}: expected an array, got ${describeValue(key, value)}`)
      return kongDefault
    }
    const element = oneOf(allowed)
    const out: T[] = []
    let ok = true
    value.forEach((v: unknown, i) => {
      if (!element.test(v)) {
        problems.push(`${key}.${i}: expected ${element.expected}, got ${describeValue(key, v)}`)
        ok = false
      } else if (!out.includes(v)) out.push(v)
    })
    return ok ? out : kongDefault
  }

  const secret = pick('secret', nonEmptyString)
  if (typeof secret === 'string' && isVaultReference(secret))
    problems.push('secret: a Kong vault reference; resolve it and pass the secret itself')
  const storage = pick('storage', oneOf(['cookie', 'kong'] as const), 'cookie')
  const audience = pick('audience', nonEmptyString, 'default')
  const idlingTimeout = pick('idling_timeout', seconds, 900)
  const rollingTimeout = pick('rolling_timeout', seconds, 3600)
  const absoluteTimeout = pick('absolute_timeout', seconds, 86400)
  const staleTtl = pick('stale_ttl', seconds, 10)
  const cookieName = pick('cookie_name', nonEmptyString, 'session')
  const cookiePath = pick('cookie_path', nonEmptyString, '/')
  const cookieDomain = pick('cookie_domain', nonEmptyString)
  const sameSite = pick('cookie_same_site', oneOf(['Strict', 'Lax', 'None', 'Default'] as const), 'Strict')
  const httpOnly = pick('cookie_http_only', boolean, true)
  // null leaves lua-resty-session's own default, which is no Secure; Tessera's own default is Secure.
  const secure = pick('cookie_secure', boolean, true) ?? false
  const remember = pick('remember', boolean, false)
  const rememberCookieName = pick('remember_cookie_name', nonEmptyString, 'remember')
  const rememberRollingTimeout = pick('remember_rolling_timeout', seconds, 604800)
  const rememberAbsoluteTimeout = pick('remember_absolute_timeout', seconds, 2592000)
  const responseHeaders = pickSet('response_headers', HEADER_NAMES)
  const requestHeaders = pickSet('request_headers', HEADER_NAMES)
  // Kong Enterprise / Konnect only; the open-source schema has no `bind`.
  const bind = pickSet('bind', BIND_NAMES)
  const hashSubject = pick('hash_subject', boolean, false)
  const storeMetadata = pick('store_metadata', boolean, false)
  const methods = pickSet('logout_methods', KONG_METHODS, ['POST', 'DELETE'])
  const queryArg = pick('logout_query_arg', nonEmptyString, 'session_logout')
  const postArg = pick('logout_post_arg', nonEmptyString, 'session_logout')
  const readBodyForLogout = pick('read_body_for_logout', boolean, false)

  // Kong's logout check skips whatever is unset: no methods, no query argument, no body argument.
  const readBody = readBodyForLogout === true && postArg !== null
  let logoutMethods: readonly LogoutMethod[] = methods ?? []
  if (queryArg === null) {
    if (readBody)
      problems.push(
        'logout_query_arg: null turns logout by query argument off while read_body_for_logout keeps logout by body on; Tessera cannot do one without the other: set logout_query_arg or read_body_for_logout: false',
      )
    else logoutMethods = []
  }

  const options: SessionOptions = {
    ...(typeof secret === 'string' ? { secret } : {}),
    // Kong passes `false` to lua-resty-session for anything but "kong", which means cookie storage.
    storage: storage === 'kong' ? 'server' : 'cookie',
    ...defined('audience', audience),
    ...defined('idlingTimeout', idlingTimeout),
    ...defined('rollingTimeout', rollingTimeout),
    ...defined('absoluteTimeout', absoluteTimeout),
    ...defined('staleTtl', staleTtl),
    ...defined('remember', remember),
    ...defined('rememberCookieName', rememberCookieName),
    ...defined('rememberRollingTimeout', rememberRollingTimeout),
    ...defined('rememberAbsoluteTimeout', rememberAbsoluteTimeout),
    ...defined('hashSubject', hashSubject),
    ...defined('storeMetadata', storeMetadata),
    ...(bind ? { bind: [...bind] } : {}),
    ...(requestHeaders ? { requestHeaders: [...requestHeaders] } : {}),
    ...(responseHeaders ? { responseHeaders: [...responseHeaders] } : {}),
    cookie: {
      ...defined('name', cookieName),
      ...defined('path', cookiePath),
      ...defined('domain', cookieDomain),
      ...defined('sameSite', sameSite),
      ...defined('httpOnly', httpOnly),
      ...defined('secure', secure),
    },
    logout: {
      methods: [...logoutMethods],
      ...defined('queryArg', queryArg),
      ...defined('postArg', postArg),
      readBody,
    },
  }

  // What Kong accepts but Tessera refuses (SameSite=None without Secure, a cookie name
  // that is not a token, control characters) is reported now, in the same list.
  const crossCheck = decodeOptions({ ...options, secret: PLACEHOLDER_SECRET })
  if (E.isLeft(crossCheck)) for (const p of crossCheck.left.problems) problems.push(toKongNames(p, label))

  if (problems.length > 0) throw new ConfigError(problems)
  return options
}

/** `{ [key]: value }` when the value is set, `{}` when absent or unset (exactOptionalPropertyTypes forbids undefined). */
const defined = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } =>
  (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V }

// Never echo the secret into an error message that may be logged.
const describeValue = (key: string, v: unknown): string => {
  if (key !== 'secret') {
    try {
      return JSON.stringify(v) ?? String(v)
    } catch {
      // A BigInt or a cycle: still a problem to list, not an exception.
      return typeof v === 'object' && v !== null ? 'an object JSON cannot show' : String(v)
    }
  }
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

const toKongNames = (problem: string, label: (key: string) => string): string => {
  const colon = problem.indexOf(':')
  const kong = colon < 0 ? undefined : KONG_NAMES[problem.slice(0, colon)]
  return kong === undefined ? problem : label(kong) + problem.slice(colon)
}

export { type KongConsumer, kongConsumerOf, kongSessionData } from '../wire/kong-data.js'
