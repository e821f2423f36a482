/** `maxSessionsPerSubject` through the engine, with logins of one subject racing. */
import { ANY_AUDIENCE, type Session } from '@tessera/core'
import { runRight } from '@tessera/test-kit'
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import type { HarnessRef } from '../harness.js'
import { browser, clockAtStart, engineOn, T0 } from './world.js'

const LOGINS = 10
const MAX = 2

const rememberedLogin = (s: Session) => {
  s.setSubject('dana')
  s.set('user', 'dana')
  s.setRemember(true)
}

/** Ten devices of one subject logging in at once, each with a remember cookie. */
const crowd = (current: HarnessRef, onSessionLimit: 'evict-oldest' | 'reject-new') => {
  const clock = clockAtStart()
  const options = {
    maxSessionsPerSubject: MAX,
    onSessionLimit,
    remember: true,
    rememberSafety: 'Low',
    audience: 'portal',
  } as const
  const engine = engineOn(current().store, clock, options)
  const browsers = Array.from({ length: LOGINS }, (_, i) => browser(engine, `device-${i}`))
  /** Remember records of the subject still in the store. */
  const rememberRecords = async () => {
    const ref = { audience: ANY_AUDIENCE, subject: Buffer.from('dana').toString('base64url') }
    return (await current().store.listIndex('remember', ref, T0)).length
  }
  /** Devices whose cookie opens a session: the session cookie, or the remember cookie alone. */
  const opening = async (withSessionCookie: boolean) => {
    const requests = browsers.map((b) => {
      if (!withSessionCookie) b.jar.delete('session')
      return b.request()
    })
    const opened = await Promise.all(requests.map((r) => engine.open(r)()))
    return opened.filter(E.isRight).length
  }
  return { engine, browsers, rememberRecords, opening }
}

export const describeSessionLimit = (current: HarnessRef, storeName: string) => {
  it(`${LOGINS} concurrent remembered logins, maxSessionsPerSubject ${MAX}, evict-oldest: ${MAX} live, the evicted remember cookies end too`, async () => {
    const c = crowd(current, 'evict-oldest')
    await Promise.all(c.browsers.map((b) => b.visit(rememberedLogin)))
    const listed = await runRight(c.engine.listSessions({ subject: 'dana' }))
    const rememberRecords = await c.rememberRecords()
    const sessions = await c.opening(true)
    const remembered = await c.opening(false)
    console.info(
      `[engine on ${storeName}] evict-oldest: ${listed.length} listed, ${sessions} open after ${LOGINS} concurrent logins`,
    )
    expect(listed).toHaveLength(MAX)
    expect(sessions).toBe(MAX)
    expect(remembered).toBe(MAX)
    expect(rememberRecords).toBe(MAX)
  })

  it(`${LOGINS} concurrent remembered logins, maxSessionsPerSubject ${MAX}, reject-new: ${MAX} saved, the rest refused with nothing left behind`, async () => {
    const c = crowd(current, 'reject-new')
    const saves = c.browsers.map(async (b) => {
      const s = await runRight(c.engine.start(b.request()))
      rememberedLogin(s)
      const saved = await c.engine.save(s)()
      if (E.isRight(saved)) b.jar.apply(saved.right.setCookie)
      return saved
    })
    const results = await Promise.all(saves)
    const refused = results.flatMap((r) => (E.isLeft(r) ? [r.left] : []))
    const listed = await runRight(c.engine.listSessions({ subject: 'dana' }))
    console.info(
      `[engine on ${storeName}] reject-new: ${listed.length} listed after ${LOGINS} concurrent logins, ${refused.length} refused`,
    )
    expect(refused).toEqual(Array.from({ length: LOGINS - MAX }, () => ({ _tag: 'SessionLimit', max: MAX })))
    expect(listed).toHaveLength(MAX)
    expect(await c.opening(true)).toBe(MAX)
    expect(await c.rememberRecords()).toBe(MAX)
  })
}
