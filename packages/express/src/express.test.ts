import { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { createSessionEngine } from '@tessera/core'
import { fakeClock, referenceBoundMac } from '@tessera/testing'
import { SECRET, T0 } from '@tessera/testing/http'
import express, { type Request } from 'express'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { sessionOf, tessera } from './index.js'

type Data = { user: string; note: string }

const cookiesOf = (res: request.Response): string[] => {
  const raw: unknown = res.headers['set-cookie']
  return Array.isArray(raw) ? raw.map(String) : raw === undefined ? [] : [String(raw)]
}
const pairs = (lines: readonly string[]) => lines.map((l) => l.split(';')[0]).join('; ')

const setup = (options: Parameters<typeof tessera>[0] = { secret: SECRET }) => {
  const sessions = tessera<Data>(options, { clock: fakeClock(T0) })
  const app = express()
  app.use(sessions)
  app.post('/login', async (req, res) => {
    await sessions.of(req).set('user', 'alice')
    await sessions.of(req).setSubject('alice')
    res.send('ok')
  })
  return { app, sessions }
}

describe('@tessera/express', () => {
  it('binds to req.ip, so `trust proxy` decides which address a bound session sees', async () => {
    const { app, sessions } = setup({ secret: SECRET, bind: ['ip'] })
    app.set('trust proxy', true)
    app.get('/who', async (req, res) => void res.json({ user: (await sessions.of(req).get('user')) ?? null }))
    const login = await request(app).post('/login').set('X-Forwarded-For', '203.0.113.7')
    const cookie = pairs(cookiesOf(login))
    const same = await request(app).get('/who').set('Cookie', cookie).set('X-Forwarded-For', '203.0.113.7')
    expect(same.body).toEqual({ user: 'alice' })
    const moved = await request(app).get('/who').set('Cookie', cookie).set('X-Forwarded-For', '198.51.100.1')
    expect(moved.body).toEqual({ user: null })
  })

  it('binds to the User-Agent bytes as received, as nginx hashes them (non-ASCII both ways)', async () => {
    const { app, sessions } = setup({ secret: SECRET, bind: ['user-agent'] })
    app.get('/who', async (req, res) => void res.json({ user: (await sessions.of(req).get('user')) ?? null }))
    const bytes = Buffer.from('Mozilla/5.0 (Łódź) Ünïcödé ✓', 'utf8')
    // supertest writes a header string one byte per char: these are the UTF-8 bytes on the wire.
    const ua = bytes.toString('latin1')
    const login = await request(app).post('/login').set('User-Agent', ua)
    const [line] = cookiesOf(login)
    const header = Buffer.from(
      (line ?? '').split(';')[0]?.slice('session='.length, 'session='.length + 110) ?? '',
      'base64url',
    )
    expect(header.subarray(66, 82)).toEqual(referenceBoundMac(SECRET, header, bytes))
    const cookie = pairs(cookiesOf(login))
    expect((await request(app).get('/who').set('Cookie', cookie).set('User-Agent', ua)).body).toEqual({ user: 'alice' })
    const other = await request(app).get('/who').set('Cookie', cookie).set('User-Agent', 'Mozilla/5.0 (Lodz)')
    expect(other.body).toEqual({ user: null })
  })

  it('sets the configured request headers for the app behind it and strips spoofed ones', async () => {
    const { app } = setup({ secret: SECRET, requestHeaders: ['subject', 'id'], responseHeaders: ['subject'] })
    app.get('/echo', (req, res) => void res.json({ subject: req.headers['session-subject'] ?? null }))
    const spoofed = await request(app).get('/echo').set('Session-Subject', 'root')
    expect(spoofed.body).toEqual({ subject: null })
    const login = await request(app).post('/login')
    const res = await request(app)
      .get('/echo')
      .set('Cookie', pairs(cookiesOf(login)))
    expect(res.body).toEqual({ subject: 'alice' })
    expect(res.headers['session-subject']).toBe('alice')
  })

  it('holds an explicit writeHead with headers and streamed writes until the save, merging Set-Cookie', async () => {
    const { app, sessions } = setup()
    app.get('/stream', async (req, res) => {
      await sessions.of(req).set('note', 'streamed')
      res.writeHead(201, { 'Content-Type': 'text/plain', 'Set-Cookie': ['theme=dark; Path=/', 'session=app'] })
      res.write('one,')
      Readable.from(['two,', 'three']).pipe(res)
    })
    const res = await request(app).get('/stream')
    expect(res.status).toBe(201)
    expect(res.text).toBe('one,two,three')
    const lines = cookiesOf(res)
    expect(lines.filter((l) => l.startsWith('theme='))).toHaveLength(1)
    expect(lines.filter((l) => l.startsWith('session='))).toHaveLength(1)
    expect(lines.find((l) => l.startsWith('session='))).not.toBe('session=app')
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('reads a logout form body itself and leaves it for body parsers mounted after it', async () => {
    const { app } = setup({ secret: SECRET, logout: { readBody: true } })
    app.use(express.urlencoded())
    app.post('/form', (req: Request, res) => void res.json(req.body))
    expect((await request(app).post('/form').type('form').send({ a: '1' })).body).toEqual({ a: '1' })
    const login = await request(app).post('/login')
    const out = await request(app)
      .post('/form')
      .set('Cookie', pairs(cookiesOf(login)))
      .type('form')
      .send({ session_logout: 'yes' })
    expect(out.text).toBe('')
    expect(cookiesOf(out)[0]).toMatch(/^session=;.*Max-Age=0/)
  })

  it('uses a body parsed by a parser mounted before it', async () => {
    const sessions = tessera({ secret: SECRET, logout: { readBody: true } })
    const app = express().use(express.json()).use(sessions)
    app.post('/x', (_req, res) => void res.send('not a logout'))
    const cookie = 'session=anything'
    expect((await request(app).post('/x').set('Cookie', cookie).send({ session_logout: true })).text).toBe('')
    expect((await request(app).post('/x').set('Cookie', cookie).send({ other: true })).text).toBe('not a logout')
    expect((await request(app).post('/x').send({ session_logout: true })).text).toBe('not a logout')
  })

  it('an app error handler that answers with its own status keeps it', async () => {
    const { app } = setup()
    app.get('/boom', () => {
      throw new Error('app bug')
    })
    app.use((_err: unknown, _req: Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('custom')
    })
    const res = await request(app).get('/boom')
    expect(res.status).toBe(500)
    expect(res.text).toBe('custom')
  })

  it('sessionOf refuses a request the middleware has not seen', () => {
    expect(() => sessionOf({} as Request)).toThrow(/has not run/)
  })

  it('types the session from the middleware generic', async () => {
    const { app, sessions } = setup()
    app.get('/typed', async (req, res) => {
      const user: string | undefined = await sessions.of(req).get('user')
      // @ts-expect-error: not a key of Data
      await sessions.of(req).get('nope')
      res.send(user ?? '')
    })
    expect((await request(app).get('/typed')).status).toBe(200)
  })
})

describe('an engine made elsewhere', () => {
  it('is used as it is (e.g. one resolved from @tessera/container)', async () => {
    const engine = createSessionEngine({ secret: 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye' })
    const sessions = tessera(engine)
    expect(sessions.engine).toBe(engine)
  })
})

// The head is held by wrappers on each response itself: these are the shapes
// of app that swap a response's prototype or wrap its methods too.
describe('holding the head whatever the app is made of', () => {
  const sessionCookie = (res: request.Response) => cookiesOf(res).find((l) => l.startsWith('session='))

  it('saves from a route in a mounted sub-app (which swaps the response prototype)', async () => {
    const { app, sessions } = setup()
    const admin = express()
    admin.get('/note', async (req, res) => {
      await sessions.of(req).set('note', 'from the sub-app')
      res.send('noted')
    })
    app.use('/admin', admin)
    app.get('/note', async (req, res) => void res.send((await sessions.of(req).get('note')) ?? 'none'))
    const saved = await request(app).get('/admin/note')
    expect(saved.text).toBe('noted')
    expect(sessionCookie(saved)).toBeDefined()
    const read = await request(app)
      .get('/note')
      .set('Cookie', pairs(cookiesOf(saved)))
    expect(read.text).toBe('from the sub-app')
  })

  it('saves when the middleware sits in a sub-app and the parent app answers', async () => {
    const sessions = tessera<Data>({ secret: SECRET }, { clock: fakeClock(T0) })
    const inner = express()
    inner.use(sessions)
    inner.use(async (req, _res, next) => {
      await sessions.of(req).set('user', 'bob')
      next()
    })
    const app = express()
    app.use(inner)
    app.get('/', (_req, res) => void res.send('parent'))
    const res = await request(app).get('/')
    expect(res.text).toBe('parent')
    expect(sessionCookie(res)).toBeDefined()
  })

  it('keeps a writeHead wrapper installed before it (as compression or on-headers do)', async () => {
    const sessions = tessera<Data>({ secret: SECRET }, { clock: fakeClock(T0) })
    const app = express()
    app.use((_req, res, next) => {
      const writeHead = res.writeHead
      res.writeHead = function (this: express.Response, ...args: unknown[]) {
        this.setHeader('X-Wrapped', 'yes')
        return (writeHead as (...a: unknown[]) => express.Response).apply(this, args)
      } as typeof res.writeHead
      next()
    })
    app.use(sessions)
    app.get('/', async (req, res) => {
      await sessions.of(req).set('user', 'carol')
      res.send('ok')
    })
    const res = await request(app).get('/')
    expect(res.headers['x-wrapped']).toBe('yes')
    expect(sessionCookie(res)).toBeDefined()
  })

  it('lets two middlewares on one app each keep and save their own session', async () => {
    const first = tessera<Data>({ secret: SECRET, cookie: { name: 'first' } }, { clock: fakeClock(T0) })
    const second = tessera<Data>({ secret: SECRET, cookie: { name: 'second' } }, { clock: fakeClock(T0) })
    const app = express()
    app.use(first, second)
    app.get('/', async (req, res) => {
      await first.of(req).set('user', 'dan')
      await second.of(req).set('user', 'erin')
      res.send(`${await first.of(req).get('user')} ${await sessionOf<Data>(req).get('user')}`)
    })
    const res = await request(app).get('/')
    expect(res.text).toBe('dan erin')
    expect(cookiesOf(res).map((l) => l.split('=')[0])).toEqual(expect.arrayContaining(['first', 'second']))
  })

  it('never changes a prototype any response shares', async () => {
    const { app, sessions } = setup()
    const chain: object[] = []
    app.get('/', async (req, res) => {
      for (let o = Object.getPrototypeOf(res); o !== ServerResponse.prototype; o = Object.getPrototypeOf(o))
        chain.push(o)
      await sessions.of(req).set('user', 'frank')
      res.send('ok')
    })
    const res = await request(app).get('/')
    expect(sessionCookie(res)).toBeDefined()
    // The app's response prototype and Express's own, above Node's: Express defines none of these.
    expect(chain).toContain(express.response)
    for (const proto of chain) {
      expect(['writeHead', 'write', 'end', 'flushHeaders'].filter((m) => Object.hasOwn(proto, m))).toEqual([])
    }
  })

  it('leaves responses of an app without the middleware as they are', async () => {
    setup() // an app with the middleware exists in this process
    const plain = express()
    plain.get('/', (_req, res) => {
      res.writeHead(203, { 'Content-Type': 'text/plain' })
      res.write('a')
      res.end('b')
    })
    const res = await request(plain).get('/')
    expect(res.status).toBe(203)
    expect(res.text).toBe('ab')
    expect(res.headers['set-cookie']).toBeUndefined()
  })
})
