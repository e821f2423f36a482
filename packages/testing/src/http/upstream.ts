/**
 * Contract: upstream mode over HTTP. A gateway app (the binding in its usual
 * mode) owns the cookie; the service app behind it (`upstream: true`, the
 * same store) reads the session and never sends a session cookie.
 */
import { expect, it } from 'vitest'
import { browse, lineFor, type MakeHttpApp, SECRET } from './harness.js'

export const describeUpstream = (makeApp: MakeHttpApp): void => {
  for (const server of [false, true]) {
    const storage = server ? 'server' : 'cookie'

    it(`${storage} storage: past 75% of the rolling timeout only the gateway rotates; the service sends no cookie`, async () => {
      const { send, clock, deps, browser, spy } = browse(
        makeApp,
        { idlingTimeout: 0, storeMetadata: server },
        { server },
      )
      const service = makeApp({ secret: SECRET, idlingTimeout: 0, storeMetadata: server, upstream: true }, deps)
      await send('POST', '/login')
      const first = browser.value('session')
      clock.advance(2701)
      const behind = await send('GET', '/read', { to: service })
      expect(behind.status).toBe(200)
      expect(behind.body.data).toEqual({ user: 'alice' })
      expect(behind.setCookie).toEqual([])
      expect(browser.value('session')).toBe(first)
      const writes = spy.count('write')
      const quiet = await send('GET', '/plain', { to: service })
      expect(quiet.setCookie).toEqual([])
      expect(spy.count('write')).toBe(writes)
      // The gateway's own rotation is the one the browser gets.
      const front = await send('GET', '/read')
      expect(lineFor(front.setCookie, 'session')).toBeDefined()
      expect(browser.value('session')).not.toBe(first)
      expect((await send('GET', '/read', { to: service })).body.data).toEqual({ user: 'alice' })
    })

    it(`${storage} storage: a dead cookie is not cleared and a logout request reaches the service’s route`, async () => {
      const { send, clock, deps, browser } = browse(makeApp, { storeMetadata: server }, { server })
      const service = makeApp({ secret: SECRET, storeMetadata: server, upstream: true }, deps)
      await send('POST', '/login')
      const cookie = browser.value('session')
      const logout = await send('POST', '/bye?session_logout', { to: service })
      expect(logout.text).toBe('bye')
      expect(logout.setCookie).toEqual([])
      clock.advance(901)
      const idle = await send('GET', '/read', { to: service })
      expect(idle.body.data).toEqual({})
      expect(idle.setCookie).toEqual([])
      expect(browser.value('session')).toBe(cookie)
    })

    it(`${storage} storage: a route that changes the data is answered by the table (500), with no cookie`, async () => {
      const { send, deps } = browse(makeApp, { storeMetadata: server }, { server })
      const service = makeApp({ secret: SECRET, storeMetadata: server, upstream: true }, deps)
      await send('POST', '/login')
      const res = await send('POST', '/increment', { to: service })
      expect(res.status).toBe(500)
      expect(res.text).toBe('Session is the gateway’s')
      expect(res.setCookie).toEqual([])
      expect((await send('GET', '/read')).body.data).toEqual({ user: 'alice' })
    })
  }
}
