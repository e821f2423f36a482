/** Contract: bad cookies, a store that is down, write-before-response and laziness. */
import { expect, it } from 'vitest'
import { browse, decodeCookie, expires, type MakeHttpApp } from './harness.js'

const tamper = (value: string): string => {
  const i = 100 // inside the MAC
  return value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1)
}

const noStack = (text: string) => {
  expect(text).not.toMatch(/\n\s+at /)
  expect(text).not.toMatch(/ECONNREFUSED|Error:/)
}

export const describeFailures = (makeApp: MakeHttpApp): void => {
  it('a tampered cookie is cleared and the request is anonymous (200, not 500)', async () => {
    const { send, browser, events } = browse(makeApp)
    await send('POST', '/login')
    const value = browser.value('session') ?? ''
    browser.apply([`session=${tamper(value)}`])
    const res = await send('GET', '/read')
    expect(res.status).toBe(200)
    expect(res.body.data).toEqual({})
    expect(expires(res.setCookie, 'session')).toBe(true)
    expect(events.some((e) => e.type === 'rejected')).toBe(true)
  })

  it('a route that never reads the session checks a tampered cookie only when a touch is due, then clears it', async () => {
    const { send, browser, clock } = browse(makeApp)
    await send('POST', '/login')
    browser.apply([`session=${tamper(browser.value('session') ?? '')}`])
    const quiet = await send('GET', '/plain')
    expect(quiet.text).toBe('plain')
    expect(quiet.setCookie).toEqual([])
    clock.advance(61)
    const due = await send('GET', '/plain')
    expect(due.text).toBe('plain')
    expect(expires(due.setCookie, 'session')).toBe(true)
  })

  it('the store down gives 503 with a short body and no stack trace', async () => {
    const { send, spy } = browse(makeApp, {}, { server: true })
    await send('POST', '/login')
    spy.control.down = true
    const read = await send('GET', '/read')
    expect(read.status).toBe(503)
    expect(read.text).toBe('Session store unavailable')
    expect(read.headers['content-type']).toMatch(/^text\/plain/)
    expect(read.setCookie).toEqual([])
    noStack(read.text)
    const login = await send('POST', '/login?user=bob')
    expect(login.status).toBe(503)
    noStack(login.text)
    const save = await send('POST', '/increment')
    expect(save.status).toBe(503)
  })

  it('the store failing only at the final save gives 503, not the app’s 200', async () => {
    const { send, spy } = browse(makeApp, {}, { server: true })
    await send('POST', '/login')
    spy.control.failing = ['write']
    const res = await send('POST', '/increment')
    expect(res.status).toBe(503)
    expect(res.text).toBe('Session store unavailable')
    expect(res.setCookie).toEqual([])
  })

  it('server-side writes complete before the response is sent', async () => {
    const { send, spy, browser, memory, clock } = browse(makeApp, {}, { server: true })
    await send('POST', '/login')
    spy.control.delayMs = 30
    const before = spy.completed('write')
    const res = await send('POST', '/increment')
    expect(res.status).toBe(200)
    expect(spy.completed('write')).toBe(before + 1)
    const { sid } = decodeCookie(browser.value('session'))
    expect(await memory.read('session', sid, clock.seconds())).not.toBeNull()
  })

  it('a route that never reads the session opens nothing (no store read, no decryption); a touch records its time', async () => {
    const { send, spy, events, clock } = browse(makeApp, {}, { server: true })
    await send('POST', '/login')
    spy.reset()
    events.length = 0
    clock.advance(10)
    const quiet = await send('GET', '/plain')
    expect(quiet.setCookie).toEqual([])
    clock.advance(120)
    const touched = await send('GET', '/plain')
    expect(touched.setCookie).toHaveLength(1)
    expect(spy.count('read')).toBe(0)
    expect(spy.count('write')).toBe(0)
    // Server storage: the touch raises the record's update time, by its key alone.
    expect(spy.count('touch')).toBe(1)
    expect(events.map((e) => e.type)).toEqual(['touched'])
  })

  it('a route that returns its own status keeps it', async () => {
    const { send } = browse(makeApp)
    await send('POST', '/login')
    const res = await send('GET', '/fail-status')
    expect(res.status).toBe(418)
    expect(res.text).toBe('teapot')
  })
}
