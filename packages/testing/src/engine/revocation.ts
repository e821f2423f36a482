/** Cookie storage with a store for marks: revocation covers every cookie a session was ever issued. */

import type { RevocationStore } from '@tessera/core'
import { requestWith, runLeft, runRight } from '@tessera/test-kit'
import { expect, it } from 'vitest'
import type { HarnessRef, StoreHarness } from '../harness.js'
import { browser, clockAtStart, engineOn } from './world.js'

/** Runs on a whole store and on a store of marks alone: cookie storage calls nothing else. */
export const describeCookieRevocation = (current: HarnessRef<StoreHarness<RevocationStore>>) => {
  const world = () => {
    const clock = clockAtStart()
    const engine = engineOn(current().store, clock, { storage: 'cookie', rollingTimeout: 1000 })
    return { clock, engine, alice: browser(engine, 'laptop') }
  }

  it('after logout, no cookie of the session opens: not the last one, nor any before a save or rotation', async () => {
    const { clock, engine, alice } = world()
    await alice.login('alice')
    const first = alice.jar.lines
    clock.advance(5)
    await alice.visit((s) => s.set('n', 1))
    const saved = alice.jar.lines
    clock.advance(751)
    await alice.visit()
    const rotated = alice.jar.lines
    expect(rotated).not.toEqual(saved)
    for (const cookies of [first, saved, rotated]) await runRight(engine.open(requestWith(cookies)))
    await alice.visit((s) => runRight(engine.destroy(s)))
    for (const cookies of [first, saved, rotated]) {
      expect(await runLeft(engine.open(requestWith(cookies)))).toEqual({ _tag: 'Revoked', reason: 'logout' })
    }
  })

  it('a save in flight while the session was logged out fails with Revoked and issues no cookie', async () => {
    const { engine, alice } = world()
    await alice.login('alice')
    const inFlight = await runRight(engine.open(alice.request()))
    const leaving = await runRight(engine.open(alice.request()))
    await runRight(engine.destroy(leaving))
    inFlight.set('late', true)
    expect(await runLeft(engine.save(inFlight))).toEqual({ _tag: 'Revoked', reason: 'logout' })
    expect(engine.outcome(inFlight).setCookie.filter((l) => !/Max-Age=0/.test(l))).toEqual([])
  })

  it('a save in flight while invalidateSubject ran fails with Revoked, even in a later second', async () => {
    const { clock, engine, alice } = world()
    await alice.login('alice')
    clock.advance(10)
    const inFlight = await runRight(engine.open(alice.request()))
    await runRight(engine.invalidateSubject({ subject: 'alice' }))
    clock.advance(3)
    inFlight.set('late', true)
    expect(await runLeft(engine.save(inFlight))).toEqual({ _tag: 'Revoked', reason: 'invalidated' })
    expect(await runLeft(engine.open(alice.request()))).toEqual({ _tag: 'Revoked', reason: 'invalidated' })
  })
}
