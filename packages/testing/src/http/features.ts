/** Contract: remember-me, chunked cookies and several audiences in one cookie, over HTTP. */
import { expect, it } from 'vitest'
import { browse, expires, lineFor, type MakeHttpApp, SECRET } from './harness.js'

export const describeFeatures = (makeApp: MakeHttpApp): void => {
  it('remember-me survives losing the session cookie', async () => {
    const { send, browser } = browse(makeApp, { remember: true })
    await send('POST', '/login')
    expect(browser.value('remember')).toBeDefined()
    browser.delete('session')
    const res = await send('GET', '/read')
    expect(res.body.data).toEqual({ user: 'alice' })
    expect(lineFor(res.setCookie, 'session')).toBeDefined()
  })

  it('a session large enough to chunk round-trips; shrinking it expires the spare chunks', async () => {
    const { send, browser } = browse(makeApp)
    await send('POST', '/login')
    const big = await send('POST', '/big?size=9000')
    expect(browser.value('session3')).toBeDefined()
    // RFC 6265bis §5.6: the name-value pair is what the 4096-byte limit covers, as the reference splits.
    for (const line of big.setCookie) expect(Buffer.byteLength(line.split(';')[0] ?? '')).toBeLessThanOrEqual(4096)
    const read = await send('GET', '/read')
    expect(read.body.data.big).toHaveLength(9000)
    const small = await send('POST', '/big?size=10')
    expect(expires(small.setCookie, 'session2')).toBe(true)
    expect(expires(small.setCookie, 'session3')).toBe(true)
    expect(browser.value('session2')).toBeUndefined()
    expect((await send('GET', '/read')).body.data.big).toHaveLength(10)
  })

  it('two audiences share one cookie; one logging out leaves the other', async () => {
    const a = browse(makeApp, { audience: 'shop' })
    const b = makeApp({ secret: SECRET, audience: 'admin' }, a.deps)
    await a.send('POST', '/login?user=alice')
    const other = await a.send('GET', '/read', { to: b })
    expect(other.body.data).toEqual({})
    expect(other.setCookie).toEqual([])
    await a.send('POST', '/login?user=root', { to: b })
    expect((await a.send('GET', '/read')).body.data).toEqual({ user: 'alice' })
    expect((await a.send('GET', '/read', { to: b })).body.data).toEqual({ user: 'root' })
    await a.send('POST', '/app-logout', { to: b })
    expect((await a.send('GET', '/read')).body.data).toEqual({ user: 'alice' })
    expect((await a.send('GET', '/read', { to: b })).body.data).toEqual({})
  })
}
