/** A store that is down: a clear StoreUnavailable, never a silently fresh session. */
import type { SessionStore } from '@tessera/core'
import { runLeft, runRight } from '@tessera/test-kit'
import { expect, it } from 'vitest'
import type { HarnessRef } from '../harness.js'
import { browser, clockAtStart, engineOn } from './world.js'

/** The same store, but every call fails as a dropped connection would. */
const down = (store: SessionStore): SessionStore =>
  Object.fromEntries(
    Object.keys(store).map((name) => [name, () => Promise.reject(new Error(`connection refused (${name})`))]),
  ) as unknown as SessionStore

export const describeFailures = (current: HarnessRef) => {
  it('server storage: with the store down, a returning user gets StoreUnavailable, not a new session', async () => {
    const clock = clockAtStart()
    const alice = browser(engineOn(current().store, clock))
    await alice.login('alice')
    const broken = engineOn(down(current().store), clock)
    expect(await runLeft(broken.start(alice.request()))).toMatchObject({ _tag: 'StoreUnavailable', operation: 'read' })
    const fresh = await runRight(broken.start({ headers: {} }))
    fresh.set('x', 1)
    expect(await runLeft(broken.save(fresh))).toMatchObject({ _tag: 'StoreUnavailable' })
  })

  it('cookie storage: an unreachable revocation store fails closed, or open when configured', async () => {
    const clock = clockAtStart()
    const alice = browser(engineOn(current().store, clock, { storage: 'cookie' }))
    await alice.login('alice')
    const closed = engineOn(down(current().store), clock, { storage: 'cookie' })
    expect(await runLeft(closed.start(alice.request()))).toMatchObject({ _tag: 'StoreUnavailable' })
    const open = engineOn(down(current().store), clock, { storage: 'cookie', revocationFailMode: 'open' })
    expect((await runRight(open.start(alice.request()))).get('user')).toBe('alice')
  })
}
