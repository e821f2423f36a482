/** Contract: logout requests as Kong detects them, and what each logout response looks like. */
import { expect, it } from 'vitest'
import { browse, expires, type MakeHttpApp } from './harness.js'

export const describeLogout = (makeApp: MakeHttpApp): void => {
  it.each([
    ['POST', '/read?session_logout'],
    ['DELETE', '/read?session_logout'],
  ] as const)('%s %s logs out with a bare 200 and clears the cookie', async (method, path) => {
    const { send } = browse(makeApp)
    await send('POST', '/login')
    const res = await send(method, path)
    expect(res.status).toBe(200)
    expect(res.text).toBe('')
    expect(expires(res.setCookie, 'session')).toBe(true)
    expect(res.headers['cache-control']).toBe('no-store')
    expect((await send('GET', '/read')).body.data).toEqual({})
  })

  it('a POST form body with the post argument logs out only with readBody', async () => {
    const reading = browse(makeApp, { logout: { readBody: true } })
    await reading.send('POST', '/login')
    const out = await reading.send('POST', '/read', { form: { session_logout: '1' } })
    expect(out.status).toBe(200)
    expect(out.text).toBe('')
    expect(expires(out.setCookie, 'session')).toBe(true)

    const ignoring = browse(makeApp)
    await ignoring.send('POST', '/login')
    const kept = await ignoring.send('POST', '/read', { form: { session_logout: '1' } })
    expect(kept.body.data).toEqual({ user: 'alice' })
  })

  it('a JSON body with the post argument logs out with readBody', async () => {
    const { send } = browse(makeApp, { logout: { readBody: true } })
    await send('POST', '/login')
    expect(expires((await send('DELETE', '/read', { json: { session_logout: true } })).setCookie, 'session')).toBe(true)
  })

  it('a GET with the query argument is not a logout (GET is not a logout method)', async () => {
    const { send } = browse(makeApp)
    await send('POST', '/login')
    const res = await send('GET', '/read?session_logout')
    expect(res.body.data).toEqual({ user: 'alice' })
    expect(res.setCookie).toEqual([])
  })

  it('logout.response redirect answers 303 to redirectTo', async () => {
    const { send } = browse(makeApp, { logout: { response: 'redirect', redirectTo: '/goodbye' } })
    await send('POST', '/login')
    const res = await send('POST', '/read?session_logout')
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/goodbye')
    expect(expires(res.setCookie, 'session')).toBe(true)
  })

  it('logout.response next passes the request on, cookies cleared', async () => {
    const { send } = browse(makeApp, { logout: { response: 'next' } })
    await send('POST', '/login')
    const res = await send('POST', '/bye?session_logout')
    expect(res.text).toBe('bye')
    expect(expires(res.setCookie, 'session')).toBe(true)
  })

  it('with logout.response next the app sees an anonymous session, and may start a new one', async () => {
    const { send } = browse(makeApp, { logout: { response: 'next' } })
    await send('POST', '/login')
    const read = await send('POST', '/read?session_logout')
    expect(read.body.data).toEqual({})
    expect(expires(read.setCookie, 'session')).toBe(true)
    await send('POST', '/login')
    const fresh = await send('POST', '/increment?session_logout')
    expect(fresh.body).toEqual({ n: 1 })
    expect(fresh.setCookie.filter((l) => l.startsWith('session='))).toHaveLength(1)
    expect(expires(fresh.setCookie, 'session')).toBe(false)
    expect((await send('GET', '/read')).body.data).toEqual({ n: 1 })
  })

  it('clears every chunk and the remember cookie', async () => {
    const { send, browser } = browse(makeApp)
    await send('POST', '/login?remember')
    await send('POST', '/big?size=6000')
    expect(browser.value('session2')).toBeDefined()
    const res = await send('POST', '/read?session_logout')
    for (const name of ['session', 'session2', 'remember']) expect(expires(res.setCookie, name)).toBe(true)
    expect(browser.lines).toEqual([])
  })

  it('a logout with no valid session still clears the cookies it sent', async () => {
    const { send, browser, clock } = browse(makeApp, { idlingTimeout: 100 })
    await send('POST', '/login')
    clock.advance(500)
    const res = await send('POST', '/read?session_logout')
    expect(res.status).toBe(200)
    expect(expires(res.setCookie, 'session')).toBe(true)
    expect(browser.lines).toEqual([])
  })

  it('a request without a session cookie is never a logout (Kong: no session, nothing to end)', async () => {
    const { send } = browse(makeApp, { logout: { readBody: true } })
    const res = await send('POST', '/read?session_logout', { form: { session_logout: '1' } })
    expect(res.body).toEqual({ id: null, data: {} })
    expect(res.setCookie).toEqual([])
  })

  it('server storage: the record is gone, replaying the old cookie is anonymous', async () => {
    const { send, browser } = browse(makeApp, {}, { server: true })
    await send('POST', '/login')
    const old = browser.lines
    await send('POST', '/read?session_logout')
    for (const line of old) browser.apply([line])
    expect((await send('GET', '/read')).body.data).toEqual({})
  })

  it('the app’s own logout ends the session', async () => {
    const { send } = browse(makeApp)
    await send('POST', '/login')
    const res = await send('POST', '/app-logout')
    expect(res.text).toBe('bye')
    expect(expires(res.setCookie, 'session')).toBe(true)
  })
}
