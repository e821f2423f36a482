import { createServer, type IncomingMessage, ServerResponse } from 'node:http'
import { createSessionEngine } from '@tessera/core'
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
