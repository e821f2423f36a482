/**
 * Contract: a cookie is cleared only when it is known dead. One this app
 * cannot judge (its MAC verifies, but this app's schema refuses its data or
 * it has no entry for this app's audience) may belong to a gateway or another
 * app on the domain: it is left alone, the request is anonymous, and an
 * `ignored` event says why.
 */
import * as t from 'io-ts'
import { expect, it } from 'vitest'
import { browse, expires, lineFor, type MakeHttpApp, SECRET } from './harness.js'

// The other app keeps `user` as a number: a cookie of this contract's app fails it.
const strict = { default: t.type({ user: t.number }) }

export const describeJudgement = (makeApp: MakeHttpApp): void => {
  it('a cookie whose data this app’s schema refuses is left alone; the request is anonymous', async () => {
    const { send, browser, events, deps } = browse(makeApp)
    await send('POST', '/login')
    const cookie = browser.value('session')
    const other = makeApp({ secret: SECRET, schemas: strict }, deps)
    const res = await send('GET', '/read', { to: other })
    expect(res.status).toBe(200)
    expect(res.body.data).toEqual({})
    expect(res.setCookie).toEqual([])
    expect(browser.value('session')).toBe(cookie)
    expect(events).toContainEqual({ type: 'ignored', reason: expect.objectContaining({ reason: 'data' }) })
    expect(events.some((e) => e.type === 'rejected')).toBe(false)
    // The app that can read it still can.
    expect((await send('GET', '/read')).body.data).toEqual({ user: 'alice' })
  })

  it('a logout request or the app’s logout leaves a cookie whose data this app cannot judge', async () => {
    const { send, browser, deps } = browse(makeApp)
    await send('POST', '/login')
    const cookie = browser.value('session')
    const other = makeApp({ secret: SECRET, schemas: strict }, deps)
    const logout = await send('POST', '/bye?session_logout', { to: other })
    expect(logout.status).toBe(200)
    expect(lineFor(logout.setCookie, 'session')).toBeUndefined()
    const appLogout = await send('POST', '/app-logout', { to: other })
    expect(lineFor(appLogout.setCookie, 'session')).toBeUndefined()
    expect(browser.value('session')).toBe(cookie)
  })

  it('a cookie with no entry for this audience is left alone, by reads and by every kind of logout', async () => {
    const { send, browser, events, deps } = browse(makeApp)
    await send('POST', '/login')
    const cookie = browser.value('session')
    const admin = makeApp({ secret: SECRET, audience: 'admin' }, deps)
    events.length = 0
    const read = await send('GET', '/read', { to: admin })
    expect(read.body.data).toEqual({})
    expect(read.setCookie).toEqual([])
    expect(events).toContainEqual({ type: 'ignored', reason: { _tag: 'MissingAudience', audience: 'admin' } })
    for (const [method, path] of [
      ['POST', '/bye?session_logout'],
      ['DELETE', '/bye?session_logout'],
      ['POST', '/app-logout'],
    ] as const) {
      const res = await send(method, path, { to: admin })
      expect(lineFor(res.setCookie, 'session'), `${method} ${path}`).toBeUndefined()
    }
    expect(browser.value('session')).toBe(cookie)
    expect((await send('GET', '/read')).body.data).toEqual({ user: 'alice' })
  })

  it('known dead cookies are still cleared: expired, and tampered inside the payload', async () => {
    const { send, browser, clock, events } = browse(makeApp)
    await send('POST', '/login')
    const value = browser.value('session') ?? ''
    // A payload changed after the header: the MAC holds, the AES-GCM tag does not.
    browser.apply([`session=${value.slice(0, 115)}${value[115] === 'A' ? 'B' : 'A'}${value.slice(116)}`])
    const tampered = await send('GET', '/read')
    expect(expires(tampered.setCookie, 'session')).toBe(true)
    expect(events).toContainEqual({ type: 'rejected', reason: expect.objectContaining({ reason: 'decrypt' }) })
    await send('POST', '/login')
    clock.advance(901)
    const idle = await send('GET', '/read')
    expect(idle.body.data).toEqual({})
    expect(expires(idle.setCookie, 'session')).toBe(true)
  })
}
