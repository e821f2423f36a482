import { createSessionEngine, type SessionEvent, type SessionStore } from '@tessera/core'
import { fakeClock, requestWith } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'
import { createHttpSession } from './driver.js'
import type { SessionFailure } from './plan.js'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
type Data = { user: string; n: number }

const setup = (options: Record<string, unknown> = {}, store?: SessionStore) => {
  const clock = fakeClock(1_700_000_000)
  const events: SessionEvent[] = []
  const engine = createSessionEngine<Data>(
    { secret: SECRET, ...options },
    { clock, store, onEvent: (e) => events.push(e) },
  )
  const visit = (cookies: readonly string[] = [], extra: Parameters<typeof requestWith>[1] = {}) =>
    createHttpSession(engine, requestWith([...cookies], extra))
  return { engine, clock, events, visit }
}

/** A store whose every call fails as a refused connection does. */
const downStore = (): SessionStore => {
  const methods = ['read', 'write', 'update', 'touch', 'remove', 'listIndex', 'removeIndexed', 'deny', 'isDenied']
  const more = ['setNotBefore', 'getNotBefore']
  return Object.fromEntries(
    [...methods, ...more].map((m) => [m, () => Promise.reject(new Error('ECONNREFUSED'))]),
  ) as unknown as SessionStore
}

const login = async (ctx: ReturnType<typeof setup>) => {
  const d = ctx.visit()
  await d.session.set('user', 'alice')
  return (await d.finish()).setCookie
}

describe('createHttpSession', () => {
  it('a request that never reads its session only keeps it alive', async () => {
    const ctx = setup()
    const cookies = await login(ctx)
    ctx.events.length = 0
    const plan = await ctx.visit(cookies).finish()
    expect(plan).toEqual({ headers: {}, setCookie: [] })
    expect(ctx.events).toEqual([])
  })

  it('saves calls the app did not await before finishing', async () => {
    const ctx = setup()
    const d = ctx.visit(await login(ctx))
    void d.session.set('n', 1)
    const plan = await d.finish()
    expect(plan.setCookie).toHaveLength(1)
    expect(plan.headers['Cache-Control']).toBe('no-store')
    expect(ctx.events.map((e) => e.type)).toContain('rotated')
  })

  it('finish is idempotent', async () => {
    const ctx = setup()
    const d = ctx.visit()
    await d.session.set('user', 'bob')
    expect(await d.finish()).toBe(await d.finish())
  })

  it('regenerate issues a new id even when nothing changed; save does not', async () => {
    const ctx = setup()
    const cookies = await login(ctx)
    const d = ctx.visit(cookies)
    await d.session.save()
    expect(d.session.id).toBeDefined()
    const before = d.session.id
    await d.session.regenerate()
    expect(d.session.id).not.toBe(before)
  })

  it('a logout of a cookie holding only another audience ends nothing and clears nothing', async () => {
    const shop = setup({ audience: 'shop' })
    const cookies = await login(shop)
    const admin = createHttpSession(
      createSessionEngine({ secret: SECRET, audience: 'admin' }, { clock: shop.clock }),
      requestWith([...cookies], { method: 'POST', url: '/?session_logout' }),
    )
    const plan = await admin.begin(async () => undefined)
    expect(plan).toEqual({ status: 200, body: '', headers: {}, setCookie: [] })
  })

  it('a store that is down becomes the table’s 503 plan, and the Promise API rejects', async () => {
    const down = downStore()
    const ctx = setup({ storage: 'server' }, down)
    const writing = ctx.visit()
    await writing.session.set('user', 'x')
    expect(await writing.finish()).toMatchObject({ status: 503, body: 'Session store unavailable', setCookie: [] })

    const stale = `session=${Buffer.alloc(82, 1).toString('base64url')}`
    const reading = ctx.visit([stale])
    // A cookie that fails its MAC is rejected before the store is asked: anonymous, not a failure.
    await expect(reading.session.get('user')).resolves.toBeUndefined()
    expect(reading.failureFor(503)).toBeUndefined()
  })

  it('a failure page gives the 503 its body; the status and headers stay the table’s', async () => {
    const down = downStore()
    const engine = createSessionEngine<Data>({ secret: SECRET, storage: 'server' }, { store: down })
    const page = (f: SessionFailure) => ({
      body: `<h1>${f.status}</h1><p>${f.message} (${f.error._tag})</p>`,
      contentType: 'text/html',
    })
    const d = createHttpSession(engine, requestWith([]), { failurePage: page })
    await d.session.set('user', 'x')
    const plan = await d.finish()
    expect(plan).toMatchObject({
      status: 503,
      body: '<h1>503</h1><p>Session store unavailable (StoreUnavailable)</p>',
      headers: {
        'Content-Type': 'text/html',
        'Retry-After': '1',
        'Cache-Control': expect.stringContaining('no-store'),
      },
      setCookie: [],
    })

    const failing = createHttpSession(engine, requestWith([]), {
      failurePage: () => {
        throw new Error('template bug')
      },
    })
    await failing.session.set('user', 'x')
    expect(await failing.finish()).toMatchObject({ status: 503, body: 'Session store unavailable' })
  })

  it('the Promise API’s rejection prints as one line naming what failed, not a stack', async () => {
    const engine = createSessionEngine<Data>({ secret: SECRET, storage: 'server' }, { store: downStore() })
    const d = createHttpSession(engine, requestWith([]))
    await d.session.set('user', 'x')
    const error: unknown = await d.session.save().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).stack).toMatch(
      /^SessionHttpError: Session store unavailable \(StoreUnavailable: \w+: ECONNREFUSED\)$/,
    )
  })

  it('planFor answers only session failures', () => {
    const d = setup().visit()
    expect(d.planFor(new Error('app bug'))).toBeUndefined()
  })
})
