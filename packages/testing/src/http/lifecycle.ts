/** Contract: the cookie a login sets, touches, rotations and the three expiries over HTTP. */
import { expect, it } from 'vitest'
import { browse, decodeCookie, expires, lineFor, type MakeHttpApp } from './harness.js'

export const describeLifecycle = (makeApp: MakeHttpApp): void => {
  it('login sets the cookie with the configured attributes and Cache-Control: no-store', async () => {
    const { send } = browse(makeApp, { cookie: { sameSite: 'Strict', secure: true, path: '/' } })
    const res = await send('POST', '/login?user=alice')
    expect(res.status).toBe(200)
    const line = lineFor(res.setCookie, 'session') ?? ''
    expect(line).toMatch(/; Path=\/(;|$)/)
    expect(line).toMatch(/; SameSite=Strict(;|$)/)
    expect(line).toMatch(/; Secure(;|$)/)
    expect(line).toMatch(/; HttpOnly(;|$)/)
    expect(res.setCookie.filter((l) => l.startsWith('session='))).toHaveLength(1)
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('default attributes: Lax, HttpOnly, Secure', async () => {
    const { send } = browse(makeApp)
    const line = lineFor((await send('POST', '/login')).setCookie, 'session') ?? ''
    expect(line).toMatch(/; SameSite=Lax/)
    expect(line).toMatch(/; HttpOnly/)
    expect(line).toMatch(/; Secure/)
  })

  it('no Secure only when secure: false is explicit', async () => {
    const { send } = browse(makeApp, { cookie: { secure: false } })
    const line = lineFor((await send('POST', '/login')).setCookie, 'session') ?? ''
    expect(line).not.toMatch(/Secure/)
  })

  it('a request within touchThreshold sends no Set-Cookie; past it, a touch keeps id and creation', async () => {
    const { send, clock, browser } = browse(makeApp)
    await send('POST', '/login')
    const first = decodeCookie(browser.value('session'))
    clock.advance(30)
    const quiet = await send('GET', '/read')
    expect(quiet.body.data).toEqual({ user: 'alice' })
    expect(quiet.setCookie).toEqual([])
    expect(quiet.headers['cache-control']).toBeUndefined()
    clock.advance(100)
    const touched = await send('GET', '/read')
    expect(lineFor(touched.setCookie, 'session')).toBeDefined()
    expect(touched.headers['cache-control']).toBe('no-store')
    expect(decodeCookie(browser.value('session'))).toEqual(first)
  })

  it('past 75% of the rolling timeout the session rotates with the same creation time', async () => {
    const { send, clock, browser } = browse(makeApp, { rollingTimeout: 1000, idlingTimeout: 0 })
    await send('POST', '/login')
    const first = decodeCookie(browser.value('session'))
    clock.advance(751)
    const res = await send('GET', '/read')
    expect(res.body.data).toEqual({ user: 'alice' })
    const next = decodeCookie(browser.value('session'))
    expect(next.sid).not.toBe(first.sid)
    expect(next.creation).toBe(first.creation)
    expect(first.creation).toBe(clock.seconds() - 751)
  })

  it.each([
    ['idle', { idlingTimeout: 100 }, [101]],
    ['rolling', { idlingTimeout: 0, rollingTimeout: 1000 }, [1001]],
    ['absolute', { idlingTimeout: 0, rollingTimeout: 1000, absoluteTimeout: 1500 }, [800, 701]],
  ] as const)('%s expiry: the cookie is cleared and the request is anonymous', async (timeout, options, steps) => {
    const { send, clock, events } = browse(makeApp, options)
    await send('POST', '/login')
    let res = await send('GET', '/read')
    for (const step of steps) {
      clock.advance(step)
      res = await send('GET', '/read')
    }
    expect(res.status).toBe(200)
    expect(res.body.data).toEqual({})
    expect(expires(res.setCookie, 'session')).toBe(true)
    expect(events).toContainEqual({ type: 'expired', timeout, remember: false })
  })

  it('a changed session is saved automatically', async () => {
    const { send } = browse(makeApp)
    await send('POST', '/login')
    await send('POST', '/increment')
    expect((await send('POST', '/increment')).body).toEqual({ n: 2 })
    expect((await send('GET', '/read')).body.data).toEqual({ user: 'alice', n: 2 })
  })

  it('merges the app’s own Set-Cookie with the session’s, each name once', async () => {
    const { send } = browse(makeApp)
    await send('POST', '/login')
    const res = await send('POST', '/app-cookie')
    expect(lineFor(res.setCookie, 'theme')).toBe('theme=dark; Path=/')
    expect(res.setCookie.filter((l) => l.startsWith('session='))).toHaveLength(1)
  })
}
