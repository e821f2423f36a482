/**
 * The shape of the options: the reference's configuration names in camelCase
 * as io-ts codecs (what `decodeOptions` checks), and the resolved options the
 * engine runs on. Times are in seconds, like the reference.
 */
import * as t from 'io-ts'
import type { RememberSafety } from '../wire/keys.js'

// Fractions are allowed, as in Kong's schema: whole elapsed seconds are compared against them.
const seconds = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0, 'non-negative seconds')

const secretInput = t.union([t.string, t.unknown as t.Type<Uint8Array>])

const HeaderName = t.keyof({
  id: null,
  audience: null,
  subject: null,
  timeout: null,
  'idling-timeout': null,
  'rolling-timeout': null,
  'absolute-timeout': null,
})

export const BindName = t.keyof({ ip: null, scheme: null, 'user-agent': null, user_agent: null })

const Method = t.keyof({ GET: null, POST: null, PUT: null, PATCH: null, DELETE: null })

const CookieInput = t.exact(
  t.partial({
    name: t.string,
    path: t.string,
    domain: t.string,
    httpOnly: t.boolean,
    secure: t.boolean,
    sameSite: t.keyof({ Strict: null, Lax: null, None: null, Default: null }),
    priority: t.keyof({ Low: null, Medium: null, High: null }),
    partitioned: t.boolean,
    prefix: t.keyof({ '__Host-': null, '__Secure-': null }),
  }),
)

const LogoutInput = t.exact(
  t.partial({
    methods: t.array(Method),
    queryArg: t.string,
    postArg: t.string,
    readBody: t.boolean,
    /** What a logout request gets: Kong's bare 200, a redirect, or the app's own handler. */
    response: t.keyof({ ok: null, redirect: null, next: null }),
    redirectTo: t.string,
  }),
)

/** The io-ts codec of the options a caller may pass (all optional but a secret or ikm). */
export const OptionsInput = t.exact(
  t.partial({
    secret: secretInput,
    secretFallbacks: t.array(secretInput),
    ikm: secretInput,
    ikmFallbacks: t.array(secretInput),
    allowWeakSecret: t.boolean,
    storage: t.keyof({ cookie: null, server: null }),
    audience: t.string,
    idlingTimeout: seconds,
    rollingTimeout: seconds,
    absoluteTimeout: seconds,
    staleTtl: seconds,
    touchThreshold: seconds,
    compressionThreshold: seconds,
    remember: t.boolean,
    rememberSafety: t.keyof({ None: null, Low: null, Medium: null, High: null, 'Very High': null }),
    rememberCookieName: t.string,
    rememberRollingTimeout: seconds,
    rememberAbsoluteTimeout: seconds,
    tagSessionIds: t.boolean,
    hashStorageKey: t.boolean,
    hashSubject: t.boolean,
    storeMetadata: t.boolean,
    enforceSameSubject: t.boolean,
    bind: t.array(BindName),
    requestHeaders: t.array(HeaderName),
    responseHeaders: t.array(HeaderName),
    clockSkew: seconds,
    maxSessionsPerSubject: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1, 'positive integer'),
    onSessionLimit: t.keyof({ 'evict-oldest': null, 'reject-new': null }),
    revocationFailMode: t.keyof({ closed: null, open: null }),
    upstream: t.boolean,
    recentCookies: t.boolean,
    cookie: CookieInput,
    logout: LogoutInput,
    schemas: t.record(t.string, t.unknown as t.Type<t.Mixed>),
  }),
)

/** What callers pass to `createSessionEngine`. */
export type SessionOptions = t.TypeOf<typeof OptionsInput>

export type SessionHeaderName = t.TypeOf<typeof HeaderName>

export type LogoutMethod = t.TypeOf<typeof Method>

/** What an engine shows of its options: all but the secrets. */
export type EngineOptions = Omit<ResolvedOptions, 'secrets'>

/** Options after decoding: defaults applied, every derived value computed once. */
export interface ResolvedOptions {
  readonly secrets: { readonly primary: Buffer; readonly fallbacks: readonly Buffer[]; readonly isIkm: boolean }
  readonly storage: 'cookie' | 'server' | undefined
  readonly audience: string
  readonly idlingTimeout: number
  readonly rollingTimeout: number
  readonly absoluteTimeout: number
  readonly staleTtl: number
  readonly touchThreshold: number
  readonly compressionThreshold: number
  readonly remember: boolean
  readonly rememberSafety: RememberSafety
  readonly rememberRollingTimeout: number
  readonly rememberAbsoluteTimeout: number
  /** New session ids say which kind of cookie they are for (see ids.ts). */
  readonly tagSessionIds: boolean
  readonly hashStorageKey: boolean
  readonly hashSubject: boolean
  readonly storeMetadata: boolean
  readonly enforceSameSubject: boolean
  readonly bindFlags: number
  readonly requestHeaders: readonly SessionHeaderName[]
  readonly responseHeaders: readonly SessionHeaderName[]
  readonly clockSkew: number
  readonly maxSessionsPerSubject: number | undefined
  readonly onSessionLimit: 'evict-oldest' | 'reject-new'
  readonly revocationFailMode: 'closed' | 'open'
  /**
   * The gateway in front owns the cookie: it is opened and verified with its
   * timeouts, but never touched, rotated, re-issued or cleared here.
   */
  readonly upstream: boolean
  /**
   * Keep the last 256 session cookies issued or opened, with their plaintext,
   * so that the same bytes reopen without the MAC and AES.
   */
  readonly recentCookies: boolean
  readonly cookie: {
    readonly name: string
    readonly rememberName: string
    /** `; Path=/; SameSite=Lax; HttpOnly` — the attributes, in the reference's order. */
    readonly attributes: string
    readonly secure: boolean
  }
  readonly logout: {
    readonly methods: readonly LogoutMethod[]
    readonly queryArg: string
    readonly postArg: string
    readonly readBody: boolean
    readonly response: 'ok' | 'redirect' | 'next'
    readonly redirectTo: string
  }
  /** io-ts codecs by audience, in a Map so that no audience name can reach an inherited property. */
  readonly schemas: ReadonlyMap<string, t.Mixed>
}
