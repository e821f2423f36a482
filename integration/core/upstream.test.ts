// Upstream mode: a gateway in front owns the cookie; the engine behind reads it and never issues,
// touches, rotates or clears it. The "gateway" here is an engine of the same configuration.

import { createSessionEngine, type SessionOptions } from '@tessera/core'
import { syncSeamOf } from '@tessera/core/internal'
import { createMemoryStore } from '@tessera/store-memory'
import { cookieJar, fakeClock, requestWith, runLeft, runRight } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'

const SECRET = 'upstream-test-secret-upstream-test-secret-01'
const T0 = 1_800_000_000

const pair = (options: Partial<SessionOptions> = {}, server = false) => {
  const clock = fakeClock(T0)
  const store = server ? createMemoryStore({ sweepIntervalMs: 0, clock: clock.now }) : undefined
  const base = { secret: SECRET, storeMetadata: server, ...options }
  const gateway = createSessionEngine(base, { clock, store })
  const service = createSessionEngine({ ...base, upstream: true }, { clock, store })
  const browser = cookieJar()
  const login = async () => {
    const s = await runRight(gateway.start(requestWith()))
    s.set('user', 'alice')
    s.setSubject('alice')
    browser.apply((await runRight(gateway.save(s))).setCookie)
    return s.id as string
  }
  return { clock, store, gateway, service, browser, login }
}

describe('upstream mode', () => {
  for (const server of [false, true]) {
    describe(server ? 'server storage' : 'cookie storage', () => {
      it('opens the gateway’s cookie and, past 75% of the rolling timeout, neither rotates nor touches it', async () => {
        const { clock, service, browser, login, store } = pair({ idlingTimeout: 0 }, server)
        const id = await login()
        clock.advance(2701) // past 75% of 3600, and past touchThreshold
        const started = await runRight(service.start(requestWith(browser.lines)))
        expect(started.get('user')).toBe('alice')
        expect(started.id).toBe(id)
        expect(service.outcome(started).setCookie).toEqual([])
        expect(await runRight(service.refresh(started))).toMatchObject({ setCookie: [] })
        expect(await runRight(service.keepAlive(requestWith(browser.lines)))).toMatchObject({ setCookie: [] })
        if (store !== undefined) {
          expect(await store.listIndex('session', { audience: '*', subject: 'YWxpY2U' }, clock.seconds())).toHaveLength(
            1,
          )
        }
      })

      it('an expired or tampered cookie is not cleared: the gateway clears its own', async () => {
        const { clock, service, browser, login } = pair({}, server)
        await login()
        const value = browser.value('session') ?? ''
        const tampered = `session=${value.slice(0, 100)}${value[100] === 'A' ? 'B' : 'A'}${value.slice(101)}`
        const forged = await runRight(service.start(requestWith([tampered])))
        expect(forged.state).toBe('new')
        expect(service.outcome(forged).setCookie).toEqual([])
        clock.advance(901)
        const idle = await runRight(service.start(requestWith(browser.lines)))
        expect(idle.state).toBe('new')
        expect(service.outcome(idle).setCookie).toEqual([])
        expect(await runRight(service.keepAlive(requestWith(browser.lines)))).toMatchObject({ setCookie: [] })
      })

      it('refuses to touch, to save changed data, and to save a session it did not open', async () => {
        const { service, browser, login } = pair({}, server)
        await login()
        const s = await runRight(service.open(requestWith(browser.lines)))
        expect(await runLeft(service.touch(s))).toMatchObject({ _tag: 'UpstreamReadOnly', reason: 'touch' })
        s.set('user', 'mallory')
        expect(await runLeft(service.save(s))).toMatchObject({
          _tag: 'UpstreamReadOnly',
          reason: server ? 'data' : 'cookie-storage',
        })
        const fresh = await runRight(service.start(requestWith()))
        fresh.setInfo('k', 1)
        expect(await runLeft(service.save(fresh))).toMatchObject({
          _tag: 'UpstreamReadOnly',
          reason: server ? 'new-session' : 'cookie-storage',
        })
      })
    })
  }

  it('cookie storage: saving is refused with the reason, even for info alone', async () => {
    const { service, browser, login } = pair()
    await login()
    const s = await runRight(service.open(requestWith(browser.lines)))
    s.setInfo('seen', 1)
    const refused = await runLeft(service.save(s))
    expect(refused).toMatchObject({ _tag: 'UpstreamReadOnly', reason: 'cookie-storage' })
    expect(refused).toHaveProperty('detail', expect.stringMatching(/gateway owns/))
    expect(syncSeamOf(service).save(s)).toMatchObject({ left: { reason: 'cookie-storage' } })
    expect(await runLeft(service.destroy(s))).toMatchObject({ _tag: 'UpstreamReadOnly', reason: 'cookie-storage' })
  })

  it('server storage: a save changes the info in place, under the same id, and sends no cookie', async () => {
    const { clock, gateway, service, browser, login, store } = pair({}, true)
    const id = await login()
    const before = await store?.read('session', id, clock.seconds())
    clock.advance(5)
    const s = await runRight(service.open(requestWith(browser.lines)))
    s.setInfo('lastPage', '/orders')
    const outcome = await runRight(service.save(s))
    expect(outcome.setCookie).toEqual([])
    expect(s.id).toBe(id)
    const after = await store?.read('session', id, clock.seconds())
    expect(after?.version).toBe((before?.version ?? 0) + 1)
    expect(after?.successor).toBeNull()
    // The gateway's cookie still opens, with the info, and its data unchanged.
    const seen = await runRight(gateway.open(requestWith(browser.lines)))
    expect(seen.getInfo('lastPage')).toBe('/orders')
    expect(seen.get('user')).toBe('alice')
  })

  it('server storage: an info save that races the gateway’s rotation lands on the live record', async () => {
    const { clock, gateway, service, browser, login, store } = pair({ idlingTimeout: 0 }, true)
    await login()
    const s = await runRight(service.open(requestWith(browser.lines)))
    // The gateway rotates meanwhile (a save under a new id).
    clock.advance(2701)
    const g = await runRight(gateway.start(requestWith(browser.lines)))
    browser.apply(gateway.outcome(g).setCookie)
    s.setInfo('lastPage', '/cart')
    expect((await runRight(service.save(s))).setCookie).toEqual([])
    const live = await runRight(gateway.open(requestWith(browser.lines)))
    expect(live.getInfo('lastPage')).toBe('/cart')
    expect(live.id).toBe(g.id)
    expect(await store?.read('session', g.id as string, clock.seconds())).toMatchObject({ successor: null })
  })

  it('server storage: destroy ends the records and sends nothing; the gateway then finds no session', async () => {
    const { gateway, service, browser, login } = pair({}, true)
    await login()
    const s = await runRight(service.open(requestWith(browser.lines)))
    expect((await runRight(service.destroy(s))).setCookie).toEqual([])
    expect(await runLeft(gateway.open(requestWith(browser.lines)))).toMatchObject({ reason: 'record' })
  })

  it('a remember cookie is left for the gateway to reopen from', async () => {
    const { service, browser, login } = pair({ remember: true })
    await login()
    browser.delete('session')
    const s = await runRight(service.start(requestWith(browser.lines)))
    expect(s.state).toBe('new')
    expect(service.outcome(s).setCookie).toEqual([])
  })
})
