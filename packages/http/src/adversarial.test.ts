/**
 * Hostile requests at the HTTP edge: values that would split a header. The
 * outcome is always an HTTP answer, never an exception.
 */
import { createServer, type IncomingMessage } from 'node:http'
import { createSessionEngine, type SessionOptions } from '@tessera/core'
import { fakeClock, requestWith, runRight } from '@tessera/test-kit'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { deferHead } from './defer.js'
import { createHttpSession } from './driver.js'

const SECRET = 'Zq7Kt2vLx9Pw4Rb8Nm3Hs6Jd1Fg5Yc0Ea'
const HOSTILE = 'sub\r\nX-Injected: 1\u0000'

/** A bare node:http server on the driver: `begin`, the app, then the deferred head. */
const server = (
  options: Partial<SessionOptions>,
  app: (session: ReturnType<typeof createHttpSession>['session'], url: string) => Promise<unknown>,
) => {
  const engine = createSessionEngine(
    { secret: SECRET, cookie: { secure: false }, ...options },
    { clock: fakeClock(1_700_000_000) },
  )
  const seen: Record<string, string>[] = []
  const handler = createServer(async (req: IncomingMessage, res) => {
    const driver = createHttpSession(engine, { method: req.method, url: req.url, headers: req.headers })
    deferHead(res, { finish: () => driver.finish(), failureFor: (status) => driver.failureFor(status) })
    const early = await driver.begin(async () => undefined)
    if (early !== undefined) return res.end()
    seen.push({ ...driver.requestHeaders })
    await app(driver.session, req.url ?? '/')
    res.end('ok')
  })
  return { handler, seen }
}

describe('values that would split a header', () => {
  const AUDIENCE = 'aud\r\nSet-Cookie: evil=1\u2028'
  const hostileApp = (options: Partial<SessionOptions>) =>
    server(options, async (session, url) => {
      if (url === '/login') {
        await session.set('user', 'x')
        await session.setSubject(HOSTILE)
      }
      if (url === '/move') await session.setAudience(AUDIENCE)
    })

  it('a subject and an audience with CR, LF and NUL reach the response headers encoded', async () => {
    const { handler } = hostileApp({ responseHeaders: ['subject', 'audience', 'id'] })
    const agent = request.agent(handler)
    for (const path of ['/login', '/', '/move']) {
      const res = await agent.get(path).timeout(3000)
      expect(res.status, path).toBe(200)
      expect(res.headers['x-injected']).toBeUndefined()
      expect(String(res.headers['set-cookie'] ?? '')).not.toContain('evil')
      expect(decodeURIComponent(res.headers['session-subject'] as string)).toBe(HOSTILE)
      const audience = path === '/move' ? AUDIENCE : 'default'
      expect(decodeURIComponent(res.headers['session-audience'] as string)).toBe(audience)
      for (const name of ['session-subject', 'session-audience', 'session-id'])
        expect(res.headers[name], name).toMatch(/^[\x21-\x7e]+$/)
    }
  })

  it('the request headers for an upstream are encoded the same way', async () => {
    const { handler, seen } = hostileApp({ requestHeaders: ['subject'] })
    const agent = request.agent(handler)
    expect((await agent.get('/login').timeout(3000)).status).toBe(200)
    expect((await agent.get('/').timeout(3000)).status).toBe(200)
    const subject = seen.at(-1)?.['session-subject'] ?? ''
    expect(subject).toMatch(/^[\x21-\x7e]+$/)
    expect(decodeURIComponent(subject)).toBe(HOSTILE)
  })

  it('at the engine: every Session-* value is visible ASCII, and decodes to what was set', async () => {
    const engine = createSessionEngine(
      { secret: SECRET, responseHeaders: ['subject', 'audience'] },
      { clock: fakeClock(1_700_000_000) },
    )
    for (const subject of [HOSTILE, 'José 日本', '100%', 'lone \ud800 surrogate', 'plain-subject']) {
      const s = await runRight(engine.start(requestWith()))
      s.setSubject(subject)
      await runRight(engine.save(s))
      const opened = await runRight(engine.open(requestWith(engine.outcome(s).setCookie)))
      const headers = engine.outcome(opened).headers
      const value = headers['Session-Subject'] ?? ''
      expect(value).toMatch(/^[\x21-\x7e]+$/)
      expect(decodeURIComponent(value)).toBe(subject.replace('\ud800', '\ufffd'))
      if (subject === 'plain-subject') expect(value).toBe(subject)
    }
  })
})
