import { fakeClock, requestWith, runRight } from '@tessera/test-kit'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createSessionEngine } from '../engine/engine.js'
import { ConfigError } from '../errors.js'
import { fromKongConfig } from './kong.js'
import { decodeOptions } from './options.js'
import type { ResolvedOptions } from './schema.js'

const SECRET = 'kong-session-secret-0123456789abcdef-ABCDEF'
const T0 = 1_700_000_000

const resolve = (config: unknown): ResolvedOptions => {
  const decoded = decodeOptions(fromKongConfig(config))
  if (E.isLeft(decoded)) throw decoded.left
  return decoded.right
}

const problemsOf = (config: unknown): readonly string[] => {
  try {
    fromKongConfig(config)
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return (e as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

/** Kong 3.x `GET /plugins/{id}` output for a session plugin created with only a secret. */
const adminApiConfig = {
  secret: SECRET,
  storage: 'cookie',
  audience: 'default',
  idling_timeout: 900,
  rolling_timeout: 3600,
  absolute_timeout: 86400,
  stale_ttl: 10,
  cookie_name: 'session',
  cookie_path: '/',
  cookie_domain: null,
  cookie_same_site: 'Strict',
  cookie_http_only: true,
  cookie_secure: true,
  remember: false,
  remember_cookie_name: 'remember',
  remember_rolling_timeout: 604800,
  remember_absolute_timeout: 2592000,
  response_headers: null,
  request_headers: null,
  read_body_for_logout: false,
  logout_methods: ['DELETE', 'POST'],
  logout_query_arg: 'session_logout',
  logout_post_arg: 'session_logout',
  hash_subject: false,
  store_metadata: false,
}

describe('fromKongConfig: Kong defaults', () => {
  it('fills every absent field with Kong 3.x schema defaults', () => {
    expect(fromKongConfig({ secret: SECRET })).toEqual({
      secret: SECRET,
      storage: 'cookie',
      audience: 'default',
      idlingTimeout: 900,
      rollingTimeout: 3600,
      absoluteTimeout: 86400,
      staleTtl: 10,
      remember: false,
      rememberCookieName: 'remember',
      rememberRollingTimeout: 604800,
      rememberAbsoluteTimeout: 2592000,
      hashSubject: false,
      storeMetadata: false,
      cookie: { name: 'session', path: '/', sameSite: 'Strict', httpOnly: true, secure: true },
      logout: { methods: ['POST', 'DELETE'], queryArg: 'session_logout', postArg: 'session_logout', readBody: false },
    })
  })

  it('resolves to SameSite=Strict, Secure, HttpOnly cookie storage (unlike lua-resty-session defaults)', () => {
    const o = resolve({ secret: SECRET })
    expect(o.cookie).toEqual({
      name: 'session',
      rememberName: 'remember',
      attributes: '; Path=/; SameSite=Strict; Secure; HttpOnly',
      secure: true,
    })
    expect(o.storage).toBe('cookie')
    expect(o.audience).toBe('default')
    expect([o.idlingTimeout, o.rollingTimeout, o.absoluteTimeout, o.staleTtl]).toEqual([900, 3600, 86400, 10])
    expect([o.remember, o.rememberRollingTimeout, o.rememberAbsoluteTimeout]).toEqual([false, 604800, 2592000])
    expect([o.hashSubject, o.storeMetadata, o.bindFlags]).toEqual([false, false, 0])
    expect(o.requestHeaders).toEqual([])
    expect(o.responseHeaders).toEqual([])
    expect(o.logout).toMatchObject({
      methods: ['POST', 'DELETE'],
      queryArg: 'session_logout',
      postArg: 'session_logout',
      readBody: false,
    })
    expect(o.secrets.primary.toString()).toBe(SECRET)
  })

  it('leaves a missing secret missing, so createSessionEngine reports it (Kong would make one up)', () => {
    const options = fromKongConfig({})
    expect(options).not.toHaveProperty('secret')
    const decoded = decodeOptions(options)
    expect(E.isLeft(decoded) && decoded.left.problems).toEqual([
      'secret: required (or ikm): sessions cannot be sealed without key material',
    ])
  })

  it('reads the Admin API output of a default plugin, nulls included, to the same options', () => {
    expect(fromKongConfig(adminApiConfig)).toEqual({
      ...fromKongConfig({ secret: SECRET }),
      logout: { methods: ['DELETE', 'POST'], queryArg: 'session_logout', postArg: 'session_logout', readBody: false },
    })
  })

  it('leaves the weak-secret decision to createSessionEngine, where allowWeakSecret can be added', () => {
    const options = fromKongConfig({ secret: 'opensesame' })
    expect(E.isLeft(decodeOptions(options))).toBe(true)
    expect(E.isRight(decodeOptions({ ...options, allowWeakSecret: true }))).toBe(true)
  })
})

describe('fromKongConfig: every field', () => {
  it('maps each Kong field to its Tessera option', () => {
    const options = fromKongConfig({
      secret: SECRET,
      storage: 'kong',
      audience: 'my-app',
      idling_timeout: 60,
      rolling_timeout: 120,
      absolute_timeout: 240,
      stale_ttl: 5,
      cookie_name: 'sid',
      cookie_path: '/app',
      cookie_domain: 'example.com',
      cookie_same_site: 'Lax',
      cookie_http_only: false,
      cookie_secure: false,
      remember: true,
      remember_cookie_name: 'keep',
      remember_rolling_timeout: 1000,
      remember_absolute_timeout: 2000,
      response_headers: ['id', 'timeout', 'id'],
      request_headers: ['subject', 'absolute-timeout'],
      bind: ['ip', 'user-agent'],
      hash_subject: true,
      store_metadata: true,
      logout_methods: ['GET'],
      logout_query_arg: 'bye',
      logout_post_arg: 'leave',
      read_body_for_logout: true,
    })
    expect(options).toEqual({
      secret: SECRET,
      storage: 'server',
      audience: 'my-app',
      idlingTimeout: 60,
      rollingTimeout: 120,
      absoluteTimeout: 240,
      staleTtl: 5,
      remember: true,
      rememberCookieName: 'keep',
      rememberRollingTimeout: 1000,
      rememberAbsoluteTimeout: 2000,
      hashSubject: true,
      storeMetadata: true,
      bind: ['ip', 'user-agent'],
      requestHeaders: ['subject', 'absolute-timeout'],
      responseHeaders: ['id', 'timeout'],
      cookie: { name: 'sid', path: '/app', domain: 'example.com', sameSite: 'Lax', httpOnly: false, secure: false },
      logout: { methods: ['GET'], queryArg: 'bye', postArg: 'leave', readBody: true },
    })
    const decoded = decodeOptions(options)
    if (E.isLeft(decoded)) throw decoded.left
    const o = decoded.right
    expect(o.storage).toBe('server')
    expect(o.cookie).toEqual({
      name: 'sid',
      rememberName: 'keep',
      attributes: '; Domain=example.com; Path=/app; SameSite=Lax',
      secure: false,
    })
    expect(o.bindFlags).toBe(0x0100 | 0x0400)
  })

  it('maps storage "kong" to server storage and "cookie" to cookie storage, explicitly', () => {
    expect(fromKongConfig({ secret: SECRET, storage: 'kong' }).storage).toBe('server')
    expect(fromKongConfig({ secret: SECRET, storage: 'cookie' }).storage).toBe('cookie')
  })

  it('accepts every SameSite value Kong 3.x does', () => {
    for (const v of ['Strict', 'Lax', 'None', 'Default'] as const)
      expect(fromKongConfig({ secret: SECRET, cookie_same_site: v }).cookie?.sameSite).toBe(v)
  })

  it('ignores unknown fields and does not touch its input', () => {
    const input = { secret: SECRET, cookie_lifetime: 100, consumer: null, protocols: ['http'], whatever: 1 }
    const copy = structuredClone(input)
    expect(fromKongConfig(input)).toEqual({ ...fromKongConfig({ secret: SECRET }), rollingTimeout: 100 })
    expect(input).toEqual(copy)
  })

  it('works with an admin_gui_session_conf-style JSON', () => {
    const o = resolve(
      JSON.parse(`{"secret":"${SECRET}","storage":"kong","cookie_secure":false,"cookie_same_site":"Lax"}`),
    )
    expect(o.storage).toBe('server')
    expect(o.cookie.secure).toBe(false)
    expect(o.cookie.attributes).toBe('; Path=/; SameSite=Lax; HttpOnly')
    expect(o.audience).toBe('default')
  })
})

describe('fromKongConfig: deprecated shorthands', () => {
  it.each([
    ['cookie_lifetime', 1234, { rollingTimeout: 1234 }],
    ['cookie_idletime', 77, { idlingTimeout: 77 }],
    ['cookie_idletime', null, { idlingTimeout: 0 }],
    ['cookie_discard', 3, { staleTtl: 3 }],
    ['cookie_persistent', true, { remember: true }],
  ] as const)('%s: %j maps as Kong maps it', (field, value, expected) => {
    expect(fromKongConfig({ secret: SECRET, [field]: value })).toEqual({
      ...fromKongConfig({ secret: SECRET }),
      ...expected,
    })
  })

  it.each([
    ['off', 'Lax'],
    ['Lax', 'Lax'],
    ['None', 'None'],
    ['Strict', 'Strict'],
    ['Default', 'Default'],
  ])('cookie_samesite %j becomes cookie_same_site %j', (value, expected) => {
    expect(fromKongConfig({ secret: SECRET, cookie_samesite: value }).cookie?.sameSite).toBe(expected)
  })

  it('cookie_httponly becomes cookie_http_only', () => {
    expect(fromKongConfig({ secret: SECRET, cookie_httponly: false }).cookie?.httpOnly).toBe(false)
    expect(resolve({ secret: SECRET, cookie_httponly: false }).cookie.attributes).toBe(
      '; Path=/; SameSite=Strict; Secure',
    )
  })

  it('cookie_renew has no effect (lua-resty-session 4 derives renewal itself)', () => {
    expect(fromKongConfig({ secret: SECRET, cookie_renew: 600 })).toEqual(fromKongConfig({ secret: SECRET }))
  })

  it('the shorthand wins over the field it stands for, whichever comes first (as in Kong)', () => {
    const pairs: Array<[Record<string, unknown>, (o: ResolvedOptions) => unknown, unknown]> = [
      [{ rolling_timeout: 10, cookie_lifetime: 20 }, (o) => o.rollingTimeout, 20],
      [{ idling_timeout: 10, cookie_idletime: 20 }, (o) => o.idlingTimeout, 20],
      [{ stale_ttl: 10, cookie_discard: 20 }, (o) => o.staleTtl, 20],
      [
        { cookie_same_site: 'Strict', cookie_samesite: 'off' },
        (o) => o.cookie.attributes.includes('SameSite=Lax'),
        true,
      ],
      [{ cookie_http_only: true, cookie_httponly: false }, (o) => o.cookie.attributes.includes('HttpOnly'), false],
      [{ remember: false, cookie_persistent: true }, (o) => o.remember, true],
    ]
    for (const [fields, get, expected] of pairs) {
      const entries = Object.entries(fields)
      expect(get(resolve({ secret: SECRET, ...fields })), JSON.stringify(fields)).toBe(expected)
      expect(get(resolve({ secret: SECRET, ...Object.fromEntries(entries.reverse()) })), 'reversed').toBe(expected)
    }
  })

  it('a null shorthand unsets its field, leaving the library default (Kong passes nil on)', () => {
    const o = resolve({ secret: SECRET, rolling_timeout: 10, cookie_lifetime: null, cookie_samesite: null })
    expect(o.rollingTimeout).toBe(3600)
    expect(o.cookie.attributes).toBe('; Path=/; SameSite=Lax; Secure; HttpOnly')
  })

  it('names the shorthand when its translated value is refused', () => {
    expect(problemsOf({ secret: SECRET, cookie_samesite: 'lax', cookie_lifetime: -1 })).toEqual([
      'rolling_timeout (from cookie_lifetime): expected a non-negative number of seconds, got -1',
      'cookie_same_site (from cookie_samesite): expected one of "Strict", "Lax", "None", "Default", got "lax"',
    ])
  })
})

describe('fromKongConfig: explicit nulls', () => {
  it('unsets a field: lua-resty-session defaults apply, not Kong ones', () => {
    const o = resolve({ secret: SECRET, cookie_same_site: null, cookie_secure: null, cookie_domain: null })
    expect(o.cookie.attributes).toBe('; Path=/; SameSite=Lax; HttpOnly')
    expect(fromKongConfig({ secret: SECRET, storage: null }).storage).toBe('cookie')
  })

  it('logout_methods null turns logout off', () => {
    expect(resolve({ secret: SECRET, logout_methods: null }).logout.methods).toEqual([])
  })

  it('logout_post_arg null turns logout by body off', () => {
    expect(resolve({ secret: SECRET, read_body_for_logout: true, logout_post_arg: null }).logout.readBody).toBe(false)
  })

  it('logout_query_arg null turns logout off unless the body is read, which Tessera cannot express', () => {
    expect(resolve({ secret: SECRET, logout_query_arg: null }).logout.methods).toEqual([])
    expect(problemsOf({ secret: SECRET, logout_query_arg: null, read_body_for_logout: true })).toEqual([
      expect.stringMatching(/^logout_query_arg: null turns logout by query argument off/),
    ])
  })
})

describe('fromKongConfig: fractional timeouts', () => {
  // Kong's schema types every timeout as "number", so a Kong config may carry fractions.
  const fractional = {
    secret: SECRET,
    idling_timeout: 900.5,
    rolling_timeout: 10.5,
    absolute_timeout: 86400.25,
    stale_ttl: 2.5,
    remember_rolling_timeout: 604800.5,
    remember_absolute_timeout: 2592000.75,
  }

  it('accepts them and passes them on unchanged', () => {
    expect(fromKongConfig(fractional)).toMatchObject({
      idlingTimeout: 900.5,
      rollingTimeout: 10.5,
      absoluteTimeout: 86400.25,
      staleTtl: 2.5,
      rememberRollingTimeout: 604800.5,
      rememberAbsoluteTimeout: 2592000.75,
    })
    expect(resolve(fractional)).toMatchObject({ rollingTimeout: 10.5, staleTtl: 2.5 })
  })

  it('judges a session against them as the reference does: whole elapsed seconds against the fraction', async () => {
    const clock = fakeClock(T0)
    const engine = createSessionEngine({ ...fromKongConfig(fractional), idlingTimeout: 0 }, { clock })
    const created = await runRight(engine.start(requestWith()))
    created.set('user', 'alice')
    const { setCookie: cookie } = await runRight(engine.save(created))
    const at = async (elapsed: number) => {
      clock.set(T0 + elapsed)
      return engine.open(requestWith(cookie))()
    }
    // floor(0.75 × 10.5) = 7: rotation is due from 8 s on; 10 s is within 10.5, 11 s is not.
    expect(await at(10)).toEqual(E.right(expect.anything()))
    expect(await at(11)).toEqual(E.left(expect.objectContaining({ _tag: 'Expired', timeout: 'rolling' })))
  })
})

describe('fromKongConfig: invalid configuration', () => {
  it('throws one ConfigError listing every problem, by Kong field name', () => {
    const problems = problemsOf({
      secret: 1234567890123,
      storage: 'redis',
      audience: '',
      idling_timeout: '900',
      absolute_timeout: -1.5,
      cookie_same_site: 'strict',
      cookie_secure: 'yes',
      remember: 1,
      logout_methods: ['POST', 'PUT'],
      response_headers: 'id',
      bind: ['ip', 'cookie'],
      cookie_httponly: 'no',
    })
    expect(problems).toEqual([
      'cookie_httponly: expected a boolean, got "no"',
      'secret: expected a non-empty string, got a number',
      'storage: expected one of "cookie", "kong", got "redis"',
      'audience: expected a non-empty string, got ""',
      'idling_timeout: expected a non-negative number of seconds, got "900"',
      'absolute_timeout: expected a non-negative number of seconds, got -1.5',
      'cookie_same_site: expected one of "Strict", "Lax", "None", "Default", got "strict"',
      'cookie_secure: expected a boolean, got "yes"',
      'remember: expected a boolean, got 1',
      'response_headers: expected an array, got "id"',
      'bind.1: expected one of "ip", "scheme", "user-agent", got "cookie"',
      'logout_methods.1: expected one of "GET", "POST", "DELETE", got "PUT"',
    ])
    expect(problems.join('\n')).not.toContain('1234567890123')
  })

  it('reports what Kong accepts but Tessera refuses in the same list, by Kong field name', () => {
    const sorted = (xs: readonly string[]) => [...xs].sort()
    expect(
      sorted(
        problemsOf({
          secret: SECRET,
          cookie_same_site: 'None',
          cookie_secure: false,
          cookie_name: 'my session',
          logout_query_arg: 'a;b',
          stale_ttl: 'soon',
        }),
      ),
    ).toEqual(
      sorted([
        'stale_ttl: expected a non-negative number of seconds, got "soon"',
        'cookie_name: "my session" is not a valid cookie name',
        "logout_query_arg: must not contain control characters or ';'",
        'cookie_same_site: SameSite=None requires cookie.secure',
      ]),
    )
  })

  it('refuses an unresolved Kong vault reference as the secret', () => {
    expect(problemsOf({ secret: '{vault://env/session-secret}' })).toEqual([
      'secret: a Kong vault reference; resolve it and pass the secret itself',
    ])
  })

  it('refuses anything but an object', () => {
    for (const config of [null, 'secret', [SECRET], 42])
      expect(problemsOf(config)).toEqual([expect.stringMatching(/^config: expected an object, got /)])
  })
})
