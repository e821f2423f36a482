import { cookieJar, fakeClock, requestWith, runLeft, runRight, scriptedRandom } from '@tessera/test-kit'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { createSessionEngine, type SessionEvent, type SessionOptions } from '../index.js'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
const T0 = 1_700_000_000

const setup = (options: Partial<SessionOptions> = {}) => {
  const clock = fakeClock(T0)
  const events: SessionEvent[] = []
  const engine = createSessionEngine(
    { secret: SECRET, ...options },
    { clock, random: scriptedRandom(), onEvent: (e) => events.push(e) },
  )
  const browser = cookieJar()
  /** One request: open (start) with the browser's cookies, run `act`, keep what the response sets. */
  const visit = async (act?: (s: Awaited<ReturnType<typeof start>>) => unknown, extra = {}) => {
    const s = await start(extra)
    await act?.(s)
    const outcome = engine.outcome(s)
    browser.apply(outcome.setCookie)
    return { session: s, outcome }
  }
  const start = (extra = {}) => runRight(engine.start(requestWith(browser.lines, extra)))
  return { engine, clock, events, browser, visit }
}

const login = async (ctx: ReturnType<typeof setup>, subject = 'alice') =>
  ctx.visit(async (s) => {
    s.set('user', subject)
    s.setSubject(subject)
    await runRight(ctx.engine.save(s))
  })

const headerOf = (value: string | undefined) => Buffer.from((value ?? '').slice(0, 110), 'base64url')

describe('refresh: keep, touch, rotate', () => {
  it('sends nothing within the touch threshold', async () => {
    const ctx = setup()
    await login(ctx)
    ctx.clock.advance(60)
    const { outcome } = await ctx.visit()
    expect(outcome.setCookie).toEqual([])
  })

  it('touches past the threshold: same session id, same ciphertext, new idling offset and MAC', async () => {
    const ctx = setup()
    await login(ctx)
    const before = ctx.browser.value('session') as string
    ctx.clock.advance(61)
    const { session } = await ctx.visit()
    const after = ctx.browser.value('session') as string
    expect(after.slice(110)).toBe(before.slice(110))
    expect(headerOf(after).subarray(0, 63)).toEqual(headerOf(before).subarray(0, 63))
    expect(headerOf(after).readUIntLE(63, 3)).toBe(61)
    expect(session.id).toBe(headerOf(before).subarray(3, 35).toString('base64url'))
    expect(ctx.events.at(-1)).toMatchObject({ type: 'touched' })
  })

  it('rotates past 75% of the rolling timeout: new id, same creation time', async () => {
    const ctx = setup({ idlingTimeout: 0 })
    const { session: first } = await login(ctx)
    ctx.clock.advance(2701)
    const { session } = await ctx.visit()
    const header = headerOf(ctx.browser.value('session'))
    expect(session.id).not.toBe(first.id)
    expect(header.readUIntLE(35, 5)).toBe(T0)
    expect(header.readUInt32LE(40)).toBe(2701)
    expect(ctx.events.at(-1)).toMatchObject({ type: 'rotated', previousId: first.id })
  })
})

describe('expiry through the engine', () => {
  it.each([
    ['idle', {}, 901],
    ['rolling', { idlingTimeout: 0, rollingTimeout: 100 }, 101],
    ['absolute', { idlingTimeout: 0, rollingTimeout: 0, absoluteTimeout: 500 }, 501],
  ] as const)('%s: rejected, reported, and replaced by a new session', async (timeout, options, after) => {
    const ctx = setup(options)
    await login(ctx)
    ctx.clock.advance(after)
    const lines = ctx.browser.lines
    expect(await runLeft(ctx.engine.open(requestWith(lines)))).toEqual({ _tag: 'Expired', timeout, remember: false })
    expect(ctx.events.at(-1)).toEqual({ type: 'expired', timeout, remember: false })
    const { session } = await ctx.visit()
    expect(session.state).toBe('new')
    expect(ctx.browser.value('session')).toBeUndefined()
  })
})

describe('audiences', () => {
  it('keeps two audiences in one cookie; logout drops only the current one', async () => {
    const a = setup({ audience: 'admin' })
    await login(a, 'alice')
    const b = createSessionEngine({ secret: SECRET, audience: 'portal' }, { clock: a.clock })
    const portal = await runRight(b.start(requestWith(a.browser.lines)))
    expect(portal.state).toBe('new')
    portal.set('theme', 'dark')
    portal.setSubject('alice')
    a.browser.apply((await runRight(b.save(portal))).setCookie)

    const admin = await runRight(a.engine.open(requestWith(a.browser.lines)))
    expect(admin.get('user')).toBe('alice')
    a.browser.apply((await runRight(a.engine.logout(admin))).setCookie)
    expect(await runLeft(a.engine.open(requestWith(a.browser.lines)))).toMatchObject({ _tag: 'MissingAudience' })
    expect((await runRight(b.open(requestWith(a.browser.lines)))).get('theme')).toBe('dark')
  })

  it('enforceSameSubject drops audiences of another subject on save', async () => {
    const a = setup({ audience: 'admin', enforceSameSubject: true })
    await login(a, 'alice')
    const b = createSessionEngine({ secret: SECRET, audience: 'portal', enforceSameSubject: true }, { clock: a.clock })
    const portal = await runRight(b.start(requestWith(a.browser.lines)))
    portal.setSubject('bob')
    a.browser.apply((await runRight(b.save(portal))).setCookie)
    expect(await runLeft(a.engine.open(requestWith(a.browser.lines)))).toMatchObject({ _tag: 'MissingAudience' })
  })
})

describe('destroy', () => {
  it('expires every chunk and the remember cookie', async () => {
    const ctx = setup({ remember: true, compressionThreshold: 0, rememberSafety: 'Low' })
    await ctx.visit(async (s) => {
      s.set('big', 'z'.repeat(9000))
      await runRight(ctx.engine.save(s))
    })
    expect(ctx.browser.lines.map((l) => l.split('=')[0])).toEqual(
      expect.arrayContaining(['session', 'session2', 'session3', 'remember']),
    )
    const { outcome } = await ctx.visit((s) => runRight(ctx.engine.destroy(s)))
    expect(outcome.setCookie.every((l) => l.includes('Max-Age=0'))).toBe(true)
    expect(ctx.browser.lines).toEqual([])
    expect(ctx.events.at(-1)).toMatchObject({ type: 'destroyed' })
  })

  it('shrinking a chunked session expires the spare chunks', async () => {
    const ctx = setup({ compressionThreshold: 0 })
    await ctx.visit(async (s) => {
      s.set('big', 'z'.repeat(9000))
      await runRight(ctx.engine.save(s))
    })
    await ctx.visit(async (s) => {
      s.set('big', 'small')
      await runRight(ctx.engine.save(s))
    })
    expect(ctx.browser.lines.map((l) => l.split('=')[0])).toEqual(['session'])
    const s = await runRight(ctx.engine.open(requestWith(ctx.browser.lines)))
    expect(s.get('big')).toBe('small')
  })
})

describe('remember me', () => {
  it('survives losing the session cookie, and the remember cookie can be turned off', async () => {
    const ctx = setup({ remember: true, rememberSafety: 'Low' })
    await login(ctx)
    ctx.browser.delete('session')
    ctx.clock.advance(86400 * 2)
    const { session } = await ctx.visit()
    expect(session.get('user')).toBe('alice')
    expect(session.createdAt).toBe(T0 + 86400 * 2)
    expect(ctx.browser.value('session')).toBeDefined()
    await ctx.visit(async (s) => {
      s.setRemember(false)
      await runRight(ctx.engine.save(s))
    })
    expect(ctx.browser.value('remember')).toBeUndefined()
  })
})

describe('secret rotation', () => {
  it('opens a cookie sealed with a fallback secret and re-issues it under the primary on save', async () => {
    const old = setup()
    await login(old)
    const OTHER = 'Pu3Ea8Wn1Zq6Kx4Rc9Lv2Tb7Hs5Gm0Jd'
    const rotated = createSessionEngine({ secret: OTHER, secretFallbacks: [SECRET] }, { clock: old.clock })
    const s = await runRight(rotated.open(requestWith(old.browser.lines)))
    const lines = (await runRight(rotated.save(s))).setCookie
    const onlyNew = createSessionEngine({ secret: OTHER }, { clock: old.clock })
    expect((await runRight(onlyNew.open(requestWith(lines)))).get('user')).toBe('alice')
  })
})

describe('binding', () => {
  it('a cookie bound to the user agent does not open from another one', async () => {
    const ctx = setup({ bind: ['user-agent', 'ip'] })
    const ua = { headers: { 'user-agent': 'Firefox' }, remoteAddress: '10.0.0.1' }
    await ctx.visit(async (s) => {
      s.set('user', 'alice')
      await runRight(ctx.engine.save(s))
    }, ua)
    const same = await runRight(ctx.engine.open(requestWith(ctx.browser.lines, ua)))
    expect(same.get('user')).toBe('alice')
    const other = requestWith(ctx.browser.lines, { headers: { 'user-agent': 'curl' }, remoteAddress: '10.0.0.1' })
    expect(await runLeft(ctx.engine.open(other))).toMatchObject({ reason: 'mac' })
  })
})

describe('typed data', () => {
  const Cart = t.type({ items: t.array(t.string) })
  it('data that fails the audience codec is rejected with a clear reason', async () => {
    const loose = setup()
    await loose.visit(async (s) => {
      s.set('items', 'not an array')
      await runRight(loose.engine.save(s))
    })
    const strict = createSessionEngine({ secret: SECRET, schemas: { default: Cart } }, { clock: loose.clock })
    expect(await runLeft(strict.open(requestWith(loose.browser.lines)))).toMatchObject({
      _tag: 'InvalidCookie',
      reason: 'data',
    })
  })
  it('data that passes opens typed', async () => {
    const ctx = setup({ schemas: { default: Cart } })
    await ctx.visit(async (s) => {
      s.set('items', ['apple'])
      await runRight(ctx.engine.save(s))
    })
    const typed = createSessionEngine<t.TypeOf<typeof Cart>>(
      { secret: SECRET, schemas: { default: Cart } },
      { clock: ctx.clock },
    )
    const s = await runRight(typed.open(requestWith(ctx.browser.lines)))
    const items: string[] | undefined = s.get('items')
    expect(items).toEqual(['apple'])
  })
})

describe('session headers', () => {
  it('sets the configured response headers for an open session', async () => {
    const ctx = setup({
      responseHeaders: ['id', 'audience', 'subject', 'timeout', 'idling-timeout', 'absolute-timeout'],
    })
    await login(ctx)
    ctx.clock.advance(30)
    const { session, outcome } = await ctx.visit()
    expect(outcome.headers).toEqual({
      'Session-Id': session.id,
      'Session-Audience': 'default',
      'Session-Subject': 'alice',
      'Session-Timeout': '870',
      'Session-Idling-Timeout': '870',
      'Session-Absolute-Timeout': String(86400 - 30),
    })
  })
})

describe('closed sessions', () => {
  it('cannot be saved again; using one is a programmer error', async () => {
    const ctx = setup()
    const { session } = await login(ctx)
    await runRight(ctx.engine.destroy(session))
    expect(await runLeft(ctx.engine.save(session))).toEqual({ _tag: 'Closed' })
    expect(() => session.set('x', 1)).toThrow(/closed/)
  })
})

describe('keepAlive: a request that never reads its session', () => {
  it('does nothing within the threshold, touches past it, rotates past 75% of rolling, clears a bad cookie', async () => {
    const ctx = setup({ idlingTimeout: 3600 })
    await login(ctx)
    const keep = () => runRight(ctx.engine.keepAlive(requestWith(ctx.browser.lines)))
    expect((await keep()).setCookie).toEqual([])
    ctx.clock.advance(61)
    const touched = await keep()
    expect(touched.setCookie).toHaveLength(1)
    expect(ctx.events.at(-1)).toMatchObject({ type: 'touched' })
    ctx.browser.apply(touched.setCookie)
    ctx.clock.advance(2700)
    ctx.browser.apply((await keep()).setCookie)
    expect(ctx.events.at(-1)).toMatchObject({ type: 'rotated' })
    expect((await runRight(ctx.engine.open(requestWith(ctx.browser.lines)))).get('user')).toBe('alice')
    const bad = await runRight(ctx.engine.keepAlive(requestWith(['session=garbage'])))
    expect(bad.setCookie).toEqual([expect.stringMatching(/^session=;.*Max-Age=0$/)])
  })
})

describe('an unusable remember cookie', () => {
  it('is cleared together with the session cookie', async () => {
    const ctx = setup({ remember: true, rememberSafety: 'Low' })
    await login(ctx)
    ctx.clock.advance(604801)
    const { session } = await ctx.visit()
    expect(session.state).toBe('new')
    expect(ctx.browser.lines).toEqual([])
  })
})

describe('remember chosen per session', () => {
  it('setRemember(true) without the option issues a remember cookie, but this engine never reopens from it', async () => {
    const ctx = setup({ rememberSafety: 'Low' })
    await ctx.visit(async (s) => {
      s.set('user', 'alice')
      s.setRemember(true)
      await runRight(ctx.engine.save(s))
    })
    // Issued as the reference issues it, for an engine (or a gateway) with remember on.
    const remember = ctx.browser.value('remember')
    expect(remember).toBeDefined()
    ctx.browser.delete('session')
    const { session, outcome } = await ctx.visit()
    expect(session.state).toBe('new')
    expect(session.get('user')).toBeUndefined()
    // Not read, so not judged either: it is left as it is.
    expect(outcome.setCookie).toEqual([])
    const on = createSessionEngine({ secret: SECRET, remember: true, rememberSafety: 'Low' }, { clock: ctx.clock })
    const reopened = await runRight(on.start(requestWith([`remember=${remember}`])))
    expect(reopened.get('user')).toBe('alice')
  })
})

describe('a cookie opened again soon after it was issued', () => {
  it('opens to fresh data each time, which the app may change without touching the next open', async () => {
    const ctx = setup()
    await login(ctx)
    const first = await ctx.visit((s) => s.set('user', 'mallory'))
    expect(first.session.get('user')).toBe('mallory')
    const second = await ctx.visit()
    expect(second.session.get('user')).toBe('alice')
  })

  it('still runs the timeout policy on every open', async () => {
    const ctx = setup({ idlingTimeout: 900, touchThreshold: 0 })
    await login(ctx)
    const before = ctx.browser.lines
    ctx.clock.advance(901)
    const left = await runLeft(ctx.engine.open(requestWith(before)))
    expect(left).toMatchObject({ _tag: 'Expired', timeout: 'idle' })
  })

  it('still rejects a cookie that differs from the one issued in any byte', async () => {
    const ctx = setup()
    await login(ctx)
    const line = ctx.browser.lines[0] as string
    const value = line.slice(line.indexOf('=') + 1)
    const flipped = `${value.slice(0, 120)}${value[120] === 'A' ? 'B' : 'A'}${value.slice(121)}`
    const left = await runLeft(ctx.engine.open(requestWith([`session=${flipped}`])))
    expect(left).toMatchObject({ _tag: 'InvalidCookie' })
  })

  it("still checks the data against the audience's schema (a save of data it refuses issues nothing)", async () => {
    const schemas = { default: t.type({ user: t.string }) }
    const ctx = setup({ schemas } as Partial<SessionOptions>)
    await ctx.visit(async (s) => {
      s.set('user', 42)
      expect(await runLeft(ctx.engine.save(s))).toEqual({ _tag: 'InvalidData', audience: 'default' })
    })
    expect(ctx.browser.lines).toEqual([])
  })
})

describe('engine.options', () => {
  it('shows the resolved options but never the secrets', () => {
    const fallback = 'Qw8Er5Ty2Ui9Op6As3Df1Gh4Jk7Lz0Xc'
    const engine = createSessionEngine({ secret: SECRET, secretFallbacks: [fallback], idlingTimeout: 600 })
    expect(engine.options.idlingTimeout).toBe(600)
    expect('secrets' in engine.options).toBe(false)
    const shown = JSON.stringify(engine.options)
    for (const secret of [SECRET, fallback]) {
      expect(shown).not.toContain(secret)
      expect(shown).not.toContain(JSON.stringify([...Buffer.from(secret)]).slice(1, -1))
    }
    expect(Object.isFrozen(engine.options)).toBe(true)
  })
})
