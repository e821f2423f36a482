// Remember cookies under attack: read when the option is off, one kind sent as the other, and
// PBKDF2 forced onto the event loop.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fakeClock, requestWith, runLeft, runRight } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'
import { createSessionEngine, type SessionEvent, type SessionOptions } from './index.js'
import { syncSeamOf } from './seam.js'

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

/** Logs alice in; the values of the session and remember cookies the response set. */
const login = async ({ engine }: ReturnType<typeof setup>, remember = true) => {
  const s = await runRight(engine.start(requestWith()))
  s.set('user', 'alice')
  s.setSubject('alice')
  s.setRemember(remember)
  const lines = (await runRight(engine.save(s))).setCookie
  const value = (name: string) => {
    const line = lines.find((l) => l.startsWith(`${name}=`)) ?? ''
    return line.slice(name.length + 1, line.indexOf(';'))
  }
  return { session: value('session'), remember: value('remember') }
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
    // As the session cookie it is what it says it is, and opens.
    expect((await runRight(ctx.engine.open(requestWith([`session=${session}`])))).get('user')).toBe('alice')
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
