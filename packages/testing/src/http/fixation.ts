/** Contract: login fixation over HTTP. A cookie planted before login must not reach the signed-in session. */
import { setCookieLines } from '@tessera/http'
import request from 'supertest'
import { expect, it } from 'vitest'
import { browse, type MakeHttpApp } from './harness.js'

export const describeFixation = (makeApp: MakeHttpApp): void => {
  it.each([
    ['server storage', true],
    ['cookie storage', false],
  ] as const)('%s: polling with a cookie planted before login gets nothing of the victim', async (_, server) => {
    const { app, send, browser, clock } = browse(makeApp, { staleTtl: 10 }, { server })
    // The attacker's anonymous session, planted in the victim's browser.
    await send('POST', '/increment')
    const planted = browser.lines.join('; ')
    await send('POST', '/login?user=victim')
    const victimCookie = browser.value('session') ?? ''
    expect((await send('GET', '/read')).body.data.user).toBe('victim')
    for (const wait of [0, 11]) {
      clock.advance(wait)
      const polled = await request(app).get('/read').set('Cookie', planted)
      expect(polled.status).toBe(200)
      expect(polled.body.data.user).toBeUndefined()
      const handed = setCookieLines(polled.headers['set-cookie'])
      expect(handed.join()).not.toContain(victimCookie.slice(0, 110))
    }
  })
}
