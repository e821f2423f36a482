import { Readable } from 'node:stream'
import { fakeClock } from '@tessera/testing'
import { SECRET, T0 } from '@tessera/testing/http'
import Koa, { type Context } from 'koa'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { sessionOf, tessera } from './index.js'

type Data = { user: string; note: string }

const cookiesOf = (res: request.Response): string[] => {
  const raw: unknown = res.headers['set-cookie']
  return Array.isArray(raw) ? raw.map(String) : raw === undefined ? [] : [String(raw)]
}
const pairs = (lines: readonly string[]) => lines.map((l) => l.split(';')[0]).join('; ')

/** An app whose `POST /login` logs alice in; `route` answers everything else. */
const setup = (
  route: (ctx: Context & { session: ReturnType<typeof sessionOf<Data>> }) => Promise<void>,
  options: Parameters<typeof tessera>[0] = { secret: SECRET },
) => {
  const app = new Koa().use(tessera<Data>(options, { clock: fakeClock(T0) }))
  app.use(async (ctx) => {
    if (ctx.method === 'POST' && ctx.path === '/login') {
      await ctx.session.set('user', 'alice')
      await ctx.session.setSubject('alice')
      ctx.body = 'ok'
      return
    }
    await route(ctx)
  })
  return app
}

describe('@tessera/koa', () => {
  it('binds to ctx.ip, so `app.proxy` decides which address a bound session sees', async () => {
    const app = setup(
      async (ctx) => {
        ctx.body = { user: (await ctx.session.get('user')) ?? null }
      },
      { secret: SECRET, bind: ['ip'] },
    )
    app.proxy = true
    const server = app.callback()
    const login = await request(server).post('/login').set('X-Forwarded-For', '203.0.113.7')
    const cookie = pairs(cookiesOf(login))
    const same = await request(server).get('/').set('Cookie', cookie).set('X-Forwarded-For', '203.0.113.7')
    expect(same.body).toEqual({ user: 'alice' })
    const moved = await request(server).get('/').set('Cookie', cookie).set('X-Forwarded-For', '198.51.100.1')
    expect(moved.body).toEqual({ user: null })
  })

  it('sets the configured request headers for downstream middleware and strips spoofed ones', async () => {
    const server = setup(
      async (ctx) => {
        ctx.body = { subject: ctx.get('session-subject') || null }
      },
      { secret: SECRET, requestHeaders: ['subject'], responseHeaders: ['subject'] },
    ).callback()
    expect((await request(server).get('/').set('Session-Subject', 'root')).body).toEqual({ subject: null })
    const login = await request(server).post('/login')
    const res = await request(server)
      .get('/')
      .set('Cookie', pairs(cookiesOf(login)))
    expect(res.body).toEqual({ subject: 'alice' })
    expect(res.headers['session-subject']).toBe('alice')
  })

  it('saves before a streamed body is sent and merges the app’s Set-Cookie', async () => {
    const server = setup(async (ctx) => {
      await ctx.session.set('note', 'streamed')
      ctx.append('Set-Cookie', 'theme=dark; Path=/')
      ctx.append('Set-Cookie', 'session=app')
      ctx.type = 'text/plain'
      ctx.body = Readable.from(['one,', 'two'])
    }).callback()
    const res = await request(server).get('/')
    expect(res.text).toBe('one,two')
    const lines = cookiesOf(res)
    expect(lines.filter((l) => l.startsWith('theme='))).toHaveLength(1)
    expect(lines.filter((l) => l.startsWith('session='))).toHaveLength(1)
    expect(lines.find((l) => l.startsWith('session='))).not.toBe('session=app')
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('uses a body a parser left in ctx.request.body', async () => {
    const app = new Koa()
    app.use(async (ctx, next) => {
      ;(ctx.request as typeof ctx.request & { body?: unknown }).body = { session_logout: 'x' }
      await next()
    })
    app.use(tessera({ secret: SECRET, logout: { readBody: true } }))
    app.use((ctx) => {
      ctx.body = 'not a logout'
    })
    expect((await request(app.callback()).post('/').set('Cookie', 'session=anything')).text).toBe('')
  })

  it('leaves app errors to Koa (no session body, no stack)', async () => {
    const app = setup(async () => {
      throw new Error('app bug')
    })
    app.silent = true
    const res = await request(app.callback()).get('/')
    expect(res.status).toBe(500)
    expect(res.text).toBe('Internal Server Error')
  })

  it('lets two middlewares on one app each keep and save their own session', async () => {
    const first = tessera<Data>({ secret: SECRET, cookie: { name: 'first' } }, { clock: fakeClock(T0) })
    const second = tessera<Data>({ secret: SECRET, cookie: { name: 'second' } }, { clock: fakeClock(T0) })
    const app = new Koa().use(first).use(second)
    app.use(async (ctx) => {
      await first.of(ctx).set('user', 'dan')
      await second.of(ctx).set('user', 'erin')
      ctx.body = `${await first.of(ctx).get('user')} ${await ctx.session.get('user')}`
    })
    const res = await request(app.callback()).get('/')
    expect(res.text).toBe('dan erin')
    expect(cookiesOf(res).map((l) => l.split('=')[0])).toEqual(expect.arrayContaining(['first', 'second']))
  })

  it('sessionOf refuses a context the middleware has not seen', () => {
    expect(() => sessionOf({} as Context)).toThrow(/has not run/)
  })

  it('types ctx.session from the middleware generic when `use` is chained', async () => {
    const app = new Koa().use(tessera<Data>({ secret: SECRET }))
    app.use(async (ctx) => {
      const user: string | undefined = await ctx.session.get('user')
      // @ts-expect-error: not a key of Data
      await ctx.session.get('nope')
      ctx.body = user ?? 'anonymous'
    })
    expect((await request(app.callback()).get('/')).text).toBe('anonymous')
  })
})
