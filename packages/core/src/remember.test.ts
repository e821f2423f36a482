// Remember cookies under attack: read when the option is off, one kind sent as the other, and
// PBKDF2 forced onto the event loop.
import * as crypto from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { cookieValueIn, fakeClock, requestWith, runLeft, runRight } from '@tessera/test-kit'
import * as t from 'io-ts'
import { describe, expect, it, vi } from 'vitest'
import { syncSeamOf } from './engine/seam.js'
import { createSessionEngine, type SessionEvent, type SessionOptions } from './index.js'
import { encodedLength } from './wire/base64url.js'
import { touchHeader } from './wire/codec.js'
import { AAD_SIZE, FLAG_DEFLATE, readHeader, writeHeaderPrefix } from './wire/header.js'
import { encryptionKey, ikmFromSecret, keyMaterial } from './wire/keys.js'

// PBKDF2 on the thread pool is node:crypto's own, only watched (one test makes it fail).
vi.mock('node:crypto', async (actual) => {
  const real = await actual<typeof import('node:crypto')>()
  return { ...real, pbkdf2: vi.fn(real.pbkdf2) }
})

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
const T0 = 1_700_000_000
const DAY = 86_400

// In server storage too: integration/core/remember.test.ts.
const setup = (options: Partial<SessionOptions> = {}) => {
  const clock = fakeClock(T0)
  const events: SessionEvent[] = []
  const engine = createSessionEngine(
    { secret: SECRET, remember: true, rememberSafety: 'Low', ...options },
    { clock, onEvent: (e) => events.push(e) },
  )
  return { engine, clock, events }
}

/**
 * A remember cookie of cookie storage holding `plaintext` as it is (with FLAG_DEFLATE: said to be
 * deflated, whatever it is), encrypted under its PBKDF2 key at `Low` and MACed, as only a holder
 * of the secret could make it: it passes the MAC and AES-GCM, and fails only after them.
 */
const craftRemember = (plaintext: string, flags = 0): string => {
  const km = keyMaterial(ikmFromSecret(SECRET))
  const sid = Buffer.alloc(32, 9)
  const bytes = Buffer.from(plaintext)
  const header = writeHeaderPrefix(flags, sid, T0, 0, encodedLength(bytes.length))
  const { key, iv } = encryptionKey(km, sid, 'Low')
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(header.subarray(0, AAD_SIZE))
  const ciphertext = cipher.update(bytes)
  cipher.final()
  header.set(cipher.getAuthTag(), AAD_SIZE)
  return touchHeader(readHeader(header), 0, km, {}).toString('base64url') + ciphertext.toString('base64url')
}

/** Logs alice in; the values of the session and remember cookies the response set. */
const login = async ({ engine }: ReturnType<typeof setup>, remember = true) => {
  const s = await runRight(engine.start(requestWith()))
  s.set('user', 'alice')
  s.setSubject('alice')
  s.setRemember(remember)
  const lines = (await runRight(engine.save(s))).setCookie
  return { session: cookieValueIn(lines, 'session'), remember: cookieValueIn(lines, 'remember') }
}

describe('remember cookies are read only when remember is on', () => {
  it('an engine with remember off neither opens nor clears a valid remember cookie', async () => {
    const on = setup()
    const cookies = await login(on)
    const off = createSessionEngine({ secret: SECRET, rememberSafety: 'Low' }, { clock: on.clock })
    expect(await runLeft(off.open(requestWith([`remember=${cookies.remember}`])))).toEqual({ _tag: 'MissingCookie' })
    const started = await runRight(off.start(requestWith([`remember=${cookies.remember}`])))
    expect(started.state).toBe('new')
    expect(started.get('user')).toBeUndefined()
    expect(off.outcome(started).setCookie).toEqual([])
    // Nothing to defer: with remember off a remember cookie needs no I/O.
    expect(syncSeamOf(off).start(requestWith([`remember=${cookies.remember}`]))?._tag).toBe('Right')
  })
})

describe('one kind of cookie is never opened as the other', () => {
  it('a session cookie sent as the remember cookie is refused before any key is derived', async () => {
    const ctx = setup()
    const { session } = await login(ctx)
    const left = await runLeft(ctx.engine.open(requestWith([`remember=${session}`])))
    expect(left).toEqual({
      _tag: 'InvalidCookie',
      reason: 'kind',
      detail: 'a session cookie sent as the remember cookie',
    })
  })

  it('a remember cookie sent as the session cookie is refused', async () => {
    for (const safety of ['None', 'Low'] as const) {
      const ctx = setup({ rememberSafety: safety })
      const { remember } = await login(ctx)
      const left = await runLeft(ctx.engine.open(requestWith([`session=${remember}`])))
      expect(left, safety).toEqual({
        _tag: 'InvalidCookie',
        reason: 'kind',
        detail: 'a remember cookie sent as the session cookie',
      })
      // A request that never reads its session refuses it too, instead of touching it.
      ctx.clock.advance(120)
      const kept = await runRight(ctx.engine.keepAlive(requestWith([`session=${remember}`])))
      expect(kept.setCookie, safety).toEqual([expect.stringMatching(/^session=;.*Max-Age=0$/)])
    }
  })

  it('a cookie that says "forget" is never a remember cookie, whoever issued it', async () => {
    // Plain random ids, as the reference issues them: only the header's flags tell the kind here.
    const ctx = setup({ tagSessionIds: false })
    const { session } = await login(ctx, false)
    const left = await runLeft(ctx.engine.open(requestWith([`remember=${session}`])))
    expect(left).toEqual({
      _tag: 'InvalidCookie',
      reason: 'kind',
      detail: 'a session cookie (it says forget) sent as the remember cookie',
    })
    // As the session cookie it is what it says it is, and opens, in a process that never saw it too (no
    // recent-cookie table to skip the checks).
    expect((await runRight(ctx.engine.open(requestWith([`session=${session}`])))).get('user')).toBe('alice')
    const fresh = setup({ tagSessionIds: false })
    expect((await runRight(fresh.engine.open(requestWith([`session=${session}`])))).get('user')).toBe('alice')
  })

  it('with rememberSafety None, a 3-day-old session cookie does not reopen past its timeouts as a remember cookie', async () => {
    const ctx = setup({ rememberSafety: 'None', idlingTimeout: 900, absoluteTimeout: DAY })
    const { session } = await login(ctx)
    ctx.clock.advance(3 * DAY)
    expect(await runLeft(ctx.engine.open(requestWith([`session=${session}`])))).toMatchObject({ _tag: 'Expired' })
    const started = await runRight(ctx.engine.start(requestWith([`session=${session}`, `remember=${session}`])))
    expect(started.state).toBe('new')
    expect(started.get('user')).toBeUndefined()
  })

  it('the remember cookie of the same login still reopens the session', async () => {
    for (const safety of ['None', 'Low'] as const) {
      const ctx = setup({ rememberSafety: safety, idlingTimeout: 900, absoluteTimeout: DAY })
      const cookies = await login(ctx)
      ctx.clock.advance(3 * DAY)
      const s = await runRight(ctx.engine.start(requestWith([`remember=${cookies.remember}`])))
      expect(s.get('user'), safety).toBe('alice')
    }
  })
})

describe('PBKDF2 of a remember cookie', () => {
  it('runs off the event loop', async () => {
    const ctx = setup({ rememberSafety: 'Very High' })
    const { remember } = await login(ctx)
    const delay = monitorEventLoopDelay({ resolution: 5 })
    delay.enable()
    const opening = ctx.engine.open(requestWith([`remember=${remember}`]))()
    const beside = await new Promise<number>((resolve) => {
      const from = performance.now()
      setTimeout(() => resolve(performance.now() - from), 1)
    })
    const s = await opening
    delay.disable()
    expect(s._tag).toBe('Right')
    // Very High is about 450 ms of PBKDF2: the loop keeps turning meanwhile.
    expect(beside).toBeLessThan(150)
    expect(delay.max / 1e6).toBeLessThan(150)
  })

  it('sealing one runs off the event loop too: at login, and at each reopening from it', async () => {
    const ctx = setup({ rememberSafety: 'Very High' })
    /** How long a 1 ms timer set beside `work` took, and the loop's longest delay while `work` ran. */
    const beside = async <A>(work: () => Promise<A>) => {
      const delay = monitorEventLoopDelay({ resolution: 5 })
      delay.enable()
      const running = work()
      const timer = await new Promise<number>((resolve) => {
        const from = performance.now()
        setTimeout(() => resolve(performance.now() - from), 1)
      })
      const result = await running
      delay.disable()
      return { result, timer, longest: delay.max / 1e6 }
    }
    const atLogin = await beside(() => login(ctx))
    expect(atLogin.result.remember).not.toBe('')
    const atReopen = await beside(() => ctx.engine.open(requestWith([`remember=${atLogin.result.remember}`]))())
    expect(atReopen.result._tag).toBe('Right')
    const lines = atReopen.result._tag === 'Right' ? ctx.engine.outcome(atReopen.result.right).setCookie : []
    expect(lines.some((l) => l.startsWith('remember='))).toBe(true)
    // Very High is about a second of PBKDF2 per key: the loop keeps turning meanwhile.
    for (const measured of [atLogin, atReopen]) {
      expect(measured.timer).toBeLessThan(150)
      expect(measured.longest).toBeLessThan(150)
    }
  })

  it('is bounded per client: past the bound the remember cookie is not tried, nothing is cleared, an event says so', async () => {
    const ctx = setup({ rememberSafety: 'High' })
    const { remember } = await login(ctx)
    const request = requestWith([`remember=${remember}`], { remoteAddress: '203.0.113.7' })
    const all = await Promise.all(Array.from({ length: 8 }, () => ctx.engine.start(request)()))
    const sessions = all.map((r) => (r._tag === 'Right' ? r.right : undefined))
    expect(sessions.every((s) => s !== undefined)).toBe(true)
    const reopened = sessions.filter((s) => s?.get('user') === 'alice')
    const anonymous = sessions.filter((s) => s?.state === 'new')
    expect(reopened.length).toBeGreaterThanOrEqual(1)
    expect(reopened.length).toBeLessThanOrEqual(2)
    expect(anonymous.length).toBe(8 - reopened.length)
    for (const s of anonymous) expect(ctx.engine.outcome(s as NonNullable<typeof s>).setCookie).toEqual([])
    const busy = ctx.events.filter(
      (e) => e.type === 'ignored' && e.reason._tag === 'InvalidCookie' && e.reason.reason === 'busy',
    )
    expect(busy).toHaveLength(anonymous.length)
    expect(busy[0]).toEqual({
      type: 'ignored',
      reason: {
        _tag: 'InvalidCookie',
        reason: 'busy',
        detail: 'too many remember-cookie keys being derived; not tried',
      },
    })
    // Once the derivations are done, the same client is served again.
    expect((await runRight(ctx.engine.start(request))).get('user')).toBe('alice')
  })

  it('is bounded in all: many clients at once get a bounded number of derivations', async () => {
    const ctx = setup({ rememberSafety: 'Medium' })
    const { remember } = await login(ctx)
    const all = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        ctx.engine.open(requestWith([`remember=${remember}`], { remoteAddress: `198.51.100.${i}` }))(),
      ),
    )
    const opened = all.filter((r) => r._tag === 'Right').length
    const busy = all.filter((r) => r._tag === 'Left' && r.left._tag === 'InvalidCookie' && r.left.reason === 'busy')
    expect(opened + busy.length).toBe(200)
    expect(busy.length).toBeGreaterThan(0)
    expect(opened).toBeLessThan(200)
  })
})

describe('what a remember value costs before it is refused', () => {
  const open = (ctx: ReturnType<typeof setup>, cookies: string[]) => ctx.engine.open(requestWith(cookies))
  const pbkdf2 = vi.mocked(crypto.pbkdf2)

  it.each([
    ['does not inflate', craftRemember('not deflate at all', FLAG_DEFLATE), { reason: 'inflate' }],
    ['is not JSON', craftRemember('not json'), { reason: 'json', detail: 'plaintext is not JSON' }],
    [
      'fails its schema',
      craftRemember('[[{"user":5},"default","alice"]]'),
      { reason: 'data', detail: 'data of audience "default" fails its schema' },
    ],
  ])('a value that %s once its key is derived stops the next one', async (_, bad, refusal) => {
    const ctx = setup({ schemas: { default: t.type({ user: t.string }) } })
    const { remember } = await login(ctx)
    const refused = { _tag: 'InvalidCookie', ...refusal }
    expect(await runLeft(open(ctx, [`remember=${bad}`]))).toEqual(refused)
    // Its PBKDF2 is spent: a genuine value after it is not tried.
    pbkdf2.mockClear()
    expect(await runLeft(open(ctx, [`remember=${bad}`, `remember=${remember}`]))).toEqual(refused)
    expect(pbkdf2).toHaveBeenCalledTimes(1)
    expect((await runRight(open(ctx, [`remember=${remember}`, `remember=${bad}`]))).get('user')).toBe('alice')
  })

  it('a value whose payload is malformed is refused before any key is derived, and the next one is tried', async () => {
    const ctx = setup()
    const { remember } = await login(ctx)
    const malformed = `${remember.slice(0, -1)}*`
    pbkdf2.mockClear()
    expect(await runLeft(open(ctx, [`remember=${malformed}`]))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'payload',
      detail: 'payload is not base64url',
    })
    expect(pbkdf2).not.toHaveBeenCalled()
    expect((await runRight(open(ctx, [`remember=${malformed}`, `remember=${remember}`]))).get('user')).toBe('alice')
  })

  it('a key derivation that fails refuses the cookie, saying so', async () => {
    const ctx = setup()
    const { remember } = await login(ctx)
    pbkdf2.mockImplementationOnce(((...args: unknown[]) => {
      const done = args.at(-1) as (error: Error | null, key: Buffer) => void
      setImmediate(() => done(new Error('derivation failed'), Buffer.alloc(0)))
    }) as typeof crypto.pbkdf2)
    expect(await runLeft(open(ctx, [`remember=${remember}`]))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'decrypt',
      detail: 'its key could not be derived',
    })
    expect((await runRight(open(ctx, [`remember=${remember}`]))).get('user')).toBe('alice')
  })

  it('a later chunk no browser would send refuses the remember cookie', async () => {
    const ctx = setup()
    const { remember } = await login(ctx)
    expect(await runLeft(open(ctx, [`remember=${remember}`, `remember2=${'A'.repeat(4090)}`]))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'size',
      detail: 'larger than a browser sends',
    })
  })
})
