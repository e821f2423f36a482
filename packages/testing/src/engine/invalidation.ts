/** "End every session of this user when the password changes", listing, and per-subject limits. */
import type { SessionOptions } from '@tessera/core'
import { requestWith, runLeft, runRight } from '@tessera/test-kit'
import { expect, it } from 'vitest'
import type { HarnessRef } from '../harness.js'
import { browser, clockAtStart, engineOn, T0 } from './world.js'

/** Alice on three browsers over two audiences, Bob on one. */
const population = (current: HarnessRef, options: Partial<SessionOptions>) => {
  const clock = clockAtStart()
  const admin = engineOn(current().store, clock, { ...options, audience: 'admin' })
  const portal = engineOn(current().store, clock, { ...options, audience: 'portal' })
  return {
    clock,
    admin,
    portal,
    current: browser(admin, 'laptop'),
    phone: browser(admin, 'phone'),
    tablet: browser(portal, 'tablet'),
    bob: browser(admin, 'bob-laptop'),
  }
}

export const describeInvalidation = (current: HarnessRef) => {
  it('password change (server storage): every other session of alice ends, hers and bob’s stay', async () => {
    const p = population(current, {})
    const kept = await p.current.login('alice')
    await p.phone.login('alice')
    await p.tablet.login('alice')
    await p.bob.login('bob')
    p.clock.advance(10)
    const ended = await runRight(p.admin.invalidateSubject({ subject: 'alice', except: kept.id as string }))
    expect(ended).toBe(2)
    expect((await runRight(p.admin.open(p.current.request()))).get('user')).toBe('alice')
    expect((await runRight(p.admin.open(p.bob.request()))).get('user')).toBe('bob')
    expect(await runLeft(p.admin.open(p.phone.request()))).toMatchObject({ _tag: 'InvalidCookie', reason: 'record' })
    expect(await runLeft(p.portal.open(p.tablet.request()))).toMatchObject({ _tag: 'InvalidCookie', reason: 'record' })
  })

  it('password change (cookie storage with a revocation store): the other sessions are revoked', async () => {
    const p = population(current, { storage: 'cookie' })
    await p.current.login('alice')
    await p.phone.login('alice')
    await p.tablet.login('alice')
    await p.bob.login('bob')
    p.clock.advance(10)
    // The password-change request: the mark is set, then its own session is re-issued after it.
    await p.current.visit(async (s) => {
      await runRight(p.admin.invalidateSubject({ subject: 'alice', except: s.id as string }))
      await runRight(p.admin.save(s))
    })
    expect((await runRight(p.admin.open(p.current.request()))).get('user')).toBe('alice')
    expect((await runRight(p.admin.open(p.bob.request()))).get('user')).toBe('bob')
    expect(await runLeft(p.admin.open(p.phone.request()))).toEqual({ _tag: 'Revoked', reason: 'invalidated' })
    expect(await runLeft(p.portal.open(p.tablet.request()))).toEqual({ _tag: 'Revoked', reason: 'invalidated' })
  })

  it('cookie storage with a revocation store: a destroyed session cannot be replayed', async () => {
    const p = population(current, { storage: 'cookie' })
    await p.current.login('alice')
    const replay = p.current.jar.lines
    await p.current.visit((s) => runRight(p.admin.destroy(s)))
    expect(await runLeft(p.admin.open({ headers: { cookie: replay.join('; ') } }))).toEqual({
      _tag: 'Revoked',
      reason: 'logout',
    })
  })

  it('listSessions shows each live session of a subject with its times and kept info', async () => {
    const p = population(current, {})
    await p.current.login('alice')
    p.clock.advance(100)
    await p.phone.login('alice')
    await p.bob.login('bob')
    const sessions = await runRight(p.admin.listSessions({ subject: 'alice' }))
    expect(sessions).toHaveLength(2)
    const byAgent = new Map(sessions.map((x) => [x.info.admin?.userAgent, x]))
    expect(byAgent.get('laptop')).toMatchObject({ createdAt: T0, expiresAt: T0 + 3600 })
    expect(byAgent.get('phone')).toMatchObject({ createdAt: T0 + 100, lastActiveAt: T0 + 100 })
    expect(byAgent.get('laptop')?.id).toHaveLength(43)
  })

  it('listSessions leaves out a session idle past its timeout; a touch in between keeps one listed', async () => {
    const p = population(current, { idlingTimeout: 600 })
    await p.current.login('alice')
    await p.phone.login('alice')
    p.clock.advance(500)
    // Past touchThreshold: the cookie is re-issued without a save, and the store records the touch.
    await p.current.visit()
    p.clock.advance(400)
    const sessions = await runRight(p.admin.listSessions({ subject: 'alice' }))
    expect(sessions.map((x) => [x.info.admin?.userAgent, x.lastActiveAt])).toEqual([['laptop', T0 + 500]])
  })

  it('maxSessionsPerSubject with evict-oldest ends the oldest session', async () => {
    const p = population(current, { maxSessionsPerSubject: 2 })
    await p.current.login('alice')
    p.clock.advance(1)
    await p.phone.login('alice')
    p.clock.advance(1)
    await p.tablet.login('alice')
    expect(await runLeft(p.admin.open(p.current.request()))).toMatchObject({ _tag: 'InvalidCookie' })
    expect((await runRight(p.admin.open(p.phone.request()))).get('user')).toBe('alice')
  })

  it('maxSessionsPerSubject with reject-new refuses the new session', async () => {
    const p = population(current, { maxSessionsPerSubject: 2, onSessionLimit: 'reject-new' })
    await p.current.login('alice')
    await p.phone.login('alice')
    const s = await runRight(p.portal.start(p.tablet.request()))
    s.setSubject('alice')
    expect(await runLeft(p.portal.save(s))).toEqual({ _tag: 'SessionLimit', max: 2 })
  })
}

export const describeEndSession = (current: HarnessRef) => {
  it('endSession ends one listed session and leaves the others', async () => {
    const p = population(current, {})
    await p.current.login('alice')
    await p.phone.login('alice')
    const [phone] = (await runRight(p.admin.listSessions({ subject: 'alice' }))).filter(
      (x) => x.info.admin?.userAgent === 'phone',
    )
    await runRight(p.admin.endSession({ id: phone?.id as string, subject: 'alice' }))
    expect(await runLeft(p.admin.open(p.phone.request()))).toMatchObject({ _tag: 'InvalidCookie' })
    expect((await runRight(p.admin.open(p.current.request()))).get('user')).toBe('alice')
    expect(await runRight(p.admin.listSessions({ subject: 'alice' }))).toHaveLength(1)
  })

  it('endSession in cookie mode denylists the session id', async () => {
    const p = population(current, { storage: 'cookie' })
    const phone = await p.phone.login('alice')
    await runRight(p.admin.endSession({ id: phone.id as string }))
    expect(await runLeft(p.admin.open(p.phone.request()))).toEqual({ _tag: 'Revoked', reason: 'logout' })
  })
}

/** A browser that logged in with remember-me and then lost its session cookie (closed the browser). */
const rememberedThenClosed = async (b: ReturnType<typeof browser>, subject: string) => {
  await b.visit((s) => {
    s.setSubject(subject)
    s.set('user', subject)
    s.setRemember(true)
  })
  b.jar.delete('session')
}

export const describeRemembered = (current: HarnessRef) => {
  // Remember cookies are read only by an engine with remember on; each login here chooses it too.
  const options = { remember: true, rememberSafety: 'Low' } as const

  it('a remembered device comes back from its remember cookie alone', async () => {
    const p = population(current, options)
    await rememberedThenClosed(p.phone, 'alice')
    expect((await p.phone.visit()).get('user')).toBe('alice')
  })

  it('password change: a remembered device cannot come back, even within the same second', async () => {
    const p = population(current, options)
    await rememberedThenClosed(p.current, 'alice')
    await p.current.visit()
    await rememberedThenClosed(p.phone, 'alice')
    await p.current.visit(async (s) => {
      await runRight(p.admin.invalidateSubject({ subject: 'alice', except: s.id as string }))
    })
    expect(await runLeft(p.admin.open(p.phone.request()))).toMatchObject({ _tag: 'InvalidCookie', reason: 'record' })
    // The kept device keeps its remember cookie too.
    p.current.jar.delete('session')
    expect((await runRight(p.admin.open(p.current.request()))).get('user')).toBe('alice')
  })

  it('ending one remembered session ends its remember cookie too', async () => {
    const p = population(current, { ...options, storage: 'server' })
    await p.phone.visit((s) => {
      s.setSubject('alice')
      s.set('user', 'alice')
      s.setRemember(true)
    })
    const [phone] = await runRight(p.admin.listSessions({ subject: 'alice' }))
    expect(phone?.info).toEqual({})
    await runRight(p.admin.endSession({ id: phone?.id as string, subject: 'alice' }))
    p.phone.jar.delete('session')
    expect(await runLeft(p.admin.open(p.phone.request()))).toMatchObject({ _tag: 'InvalidCookie' })
  })

  it('logging out ends the remember cookie, even when only the session cookie was opened', async () => {
    const p = population(current, options)
    await p.phone.visit((s) => {
      s.setSubject('alice')
      s.set('user', 'alice')
      s.setRemember(true)
    })
    const replay = p.phone.jar.lines
    await p.phone.visit((s) => runRight(p.admin.destroy(s)))
    expect(p.phone.jar.lines).toEqual([])
    const rememberOnly = replay.filter((c) => c.startsWith('remember='))
    expect(await runLeft(p.admin.open({ headers: { cookie: rememberOnly.join('; ') } }))).toMatchObject({
      _tag: expect.stringMatching(/InvalidCookie|Revoked/),
    })
  })
}

export const describeInvalidationRace = (current: HarnessRef) => {
  it('log out everywhere racing one save on each of 300 sessions of the subject: none survives', async () => {
    const clock = clockAtStart()
    const engine = engineOn(current().store, clock)
    const browsers = Array.from({ length: 300 }, (_, i) => browser(engine, `device-${i}`))
    // In batches: a pooled store counts time queued for a connection against each call's deadline.
    for (let i = 0; i < browsers.length; i += 20)
      await Promise.all(browsers.slice(i, i + 20).map((b) => b.login('alice')))
    const before = browsers.map((b) => b.jar.lines)
    clock.advance(1)
    const saves = browsers.map(async (b, i) => {
      // A request that comes in after its session was ended finds nothing to save.
      const opened = await engine.open(b.request())()
      if (opened._tag === 'Left') return
      const s = opened.right
      s.set('step', i)
      const saved = await engine.save(s)()
      if (saved._tag === 'Right') b.jar.apply(saved.right.setCookie)
    })
    // On a loaded machine a pooled store may time the call out behind 300 saves: the app retries it.
    const ended = (async () => {
      for (let attempt = 1; ; attempt++) {
        const r = await engine.invalidateSubject({ subject: 'alice' })()
        if (r._tag === 'Right' || r.left._tag !== 'StoreUnavailable' || attempt === 5) return r
      }
    })()
    await Promise.all(saves)
    expect((await ended)._tag).toBe('Right')
    const all = [...before, ...browsers.map((b) => b.jar.lines)]
    const outcomes: string[] = []
    for (let i = 0; i < all.length; i += 20) {
      const opened = await Promise.all(all.slice(i, i + 20).map((cookies) => engine.open(requestWith(cookies))()))
      outcomes.push(...opened.map((r) => (r._tag === 'Right' ? `opened ${r.right.id}` : r.left._tag)))
    }
    // Every cookie, before or after its save, is refused because its session is gone (not for any other reason).
    expect(outcomes.filter((o) => o !== 'InvalidCookie' && o !== 'Revoked')).toEqual([])
    expect(await runRight(engine.listSessions({ subject: 'alice' }))).toEqual([])
  }, 60_000)
}
