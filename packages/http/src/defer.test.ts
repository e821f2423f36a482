import { createServer, type IncomingMessage, ServerResponse } from 'node:http'
import { createSessionEngine } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { fakeClock } from '@tessera/test-kit'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { deferHead } from './defer.js'
import { createHttpSession } from './driver.js'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'

/** A bare node:http server: the driver plus deferHead is all a binding needs. */
const server = (handler: (session: ReturnType<typeof createHttpSession>['session'], res: ServerResponse) => void) => {
  const engine = createSessionEngine({ secret: SECRET }, { clock: fakeClock(1_700_000_000) })
  return createServer((req: IncomingMessage, res) => {
    const driver = createHttpSession(engine, { method: req.method, url: req.url, headers: req.headers })
    // No finishSync: this server always takes the deferral's asynchronous path (holding, then replaying).
    deferHead(res, { finish: () => driver.finish(), failureFor: (status) => driver.failureFor(status) })
    handler(driver.session, res)
  })
}

describe('deferHead on a plain node:http server', () => {
  it('holds writeHead, writes and end until the session is saved, then adds its cookie', async () => {
    const app = server((session, res) => {
      void session.set('user', 'alice').then(() => {
        res.writeHead(202, [
          ['Content-Type', 'text/plain'],
          ['Set-Cookie', 'theme=dark'],
        ])
        res.write('a')
        res.end('b')
      })
    })
    const res = await request(app).get('/')
    expect(res.status).toBe(202)
    expect(res.text).toBe('ab')
    const lines = res.headers['set-cookie'] as unknown as string[]
    expect(lines[0]).toBe('theme=dark')
    expect(lines[1]).toMatch(/^session=/)
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it("wraps a plain response's own methods and never Node's prototype", async () => {
    const before = { writeHead: ServerResponse.prototype.writeHead, end: ServerResponse.prototype.end }
    let own = false
    const app = server((session, res) => {
      own = Object.hasOwn(res, 'writeHead') && Object.hasOwn(res, 'end')
      void session.set('user', 'alice').then(() => res.end('ok'))
    })
    expect((await request(app).get('/')).headers['set-cookie']).toBeDefined()
    expect(own).toBe(true)
    expect({ writeHead: ServerResponse.prototype.writeHead, end: ServerResponse.prototype.end }).toEqual(before)
  })

  it('passes a response through untouched when the session sets nothing', async () => {
    const app = server((_session, res) => {
      res.setHeader('Cache-Control', 'max-age=60')
      res.end('cached')
    })
    const res = await request(app).get('/')
    expect(res.text).toBe('cached')
    expect(res.headers['cache-control']).toBe('max-age=60')
    expect(res.headers['set-cookie']).toBeUndefined()
  })
})

describe('deferHead when the session settles at once (cookie storage)', () => {
  /** The driver itself as the hooks, as the Express binding passes it; `seen` records which methods were own properties. */
  const settling = (
    options: { store?: boolean },
    handler: (session: ReturnType<typeof createHttpSession>['session'], res: ServerResponse) => Promise<void>,
  ) => {
    const engine = createSessionEngine(
      { secret: SECRET, cookie: { secure: false } },
      { clock: fakeClock(1_700_000_000), store: options.store === true ? createMemoryStore() : undefined },
    )
    const seen: string[][] = []
    const ownWrappers = (res: ServerResponse) =>
      ['writeHead', 'write', 'end', 'flushHeaders'].filter((m) => Object.hasOwn(res, m))
    const app = createServer(async (req: IncomingMessage, res) => {
      const driver = createHttpSession(engine, { method: req.method, url: req.url, headers: req.headers })
      deferHead(res, driver)
      seen.push(ownWrappers(res))
      await handler(driver.session, res)
      seen.push(ownWrappers(res))
    })
    return { app, seen }
  }

  it('wraps writeHead alone, and the cookie still goes out with end, with streamed writes and with an explicit head', async () => {
    const { app, seen } = settling({}, async (session, res) => {
      await session.set('user', 'alice')
      if (res.req.url === '/end') return void res.end('ended')
      if (res.req.url === '/head') res.writeHead(201, { 'Set-Cookie': ['theme=dark', 'session=app'] })
      res.write('one,')
      res.end('two')
    })
    const ended = await request(app).get('/end')
    expect(ended.text).toBe('ended')
    expect(ended.headers['set-cookie']?.[0]).toMatch(/^session=/)
    const streamed = await request(app).get('/stream')
    expect(streamed.text).toBe('one,two')
    expect(streamed.headers['set-cookie']?.[0]).toMatch(/^session=/)
    const head = await request(app).get('/head')
    expect(head.status).toBe(201)
    const lines = head.headers['set-cookie'] as unknown as string[]
    expect(lines.filter((l) => l.startsWith('session='))).toHaveLength(1)
    expect(lines.find((l) => l.startsWith('session='))).not.toBe('session=app')
    expect(lines).toContain('theme=dark')
    expect(seen).toEqual([['writeHead'], ['writeHead'], ['writeHead'], ['writeHead'], ['writeHead'], ['writeHead']])
  })

  it('holds the body as well from the moment a call that may need I/O is queued, before the app writes', async () => {
    let wrappedBeforeWrite: string[] = []
    const { app } = settling({}, async (session, res) => {
      await session.set('user', 'alice')
      // Not awaited: the head is written while the rotation is still queued.
      void session.regenerate()
      wrappedBeforeWrite = ['write', 'end'].filter((m) => Object.hasOwn(res, m))
      res.end('rotated')
    })
    const res = await request(app).get('/')
    expect(wrappedBeforeWrite).toEqual(['write', 'end'])
    expect(res.text).toBe('rotated')
    expect(res.headers['set-cookie']?.[0]).toMatch(/^session=/)
  })

  it('holds everything on a server-storage engine', async () => {
    const { app, seen } = settling({ store: true }, async (session, res) => {
      await session.set('user', 'alice')
      res.end('saved')
    })
    const res = await request(app).get('/')
    expect(res.text).toBe('saved')
    expect(res.headers['set-cookie']?.[0]).toMatch(/^session=/)
    expect(seen[0]).toEqual(['writeHead', 'write', 'end', 'flushHeaders'])
  })

  it('answers a save that fails with its status and no cookie; the body already on its way is the app’s', async () => {
    const { app } = settling({}, async (session, res) => {
      await session.set('n', 10n as unknown as number)
      res.setHeader('Content-Type', 'text/html')
      res.end('<p>done</p>')
    })
    const res = await request(app).get('/')
    expect(res.status).toBe(500)
    expect(res.headers['set-cookie']).toBeUndefined()
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['content-type']).toBe('text/html')
    expect(res.text).toBe('<p>done</p>')
  })
})
