/** Login fixation: a cookie planted before login must lead nowhere once the victim signs in. */

import { cookieJar, requestWith, runLeft, runRight } from '@tessera/test-kit'
import { expect, it } from 'vitest'
import type { HarnessRef } from '../harness.js'
import { browser, clockAtStart, engineOn } from './world.js'

export const describeFixation = (current: HarnessRef) => {
  const plant = async (staleTtl = 10) => {
    const clock = clockAtStart()
    const engine = engineOn(current().store, clock, { staleTtl })
    const attacker = browser(engine, 'attacker')
    await attacker.visit((s) => s.set('cart', 'planted'))
    const planted = attacker.jar.lines
    const victim = browser(engine, 'victim')
    victim.jar.apply(planted)
    return { clock, engine, planted, victim }
  }

  /** What the attacker gets back polling with the planted cookie: never the victim's data or cookie. */
  const poll = async (w: Awaited<ReturnType<typeof plant>>) => {
    const s = await runRight(w.engine.start(requestWith(w.planted)))
    expect(s.subject).toBeUndefined()
    expect(s.get('user')).toBeUndefined()
    const handed = cookieJar()
    handed.apply(w.engine.outcome(s).setCookie)
    const value = w.victim.jar.value('session')
    expect(w.engine.outcome(s).setCookie.join()).not.toContain(value)
    return handed
  }

  it('a cookie planted before login (change of subject) is not served the victim’s session', async () => {
    const w = await plant()
    await w.victim.login('victim')
    expect((await runRight(w.engine.open(w.victim.request()))).get('user')).toBe('victim')
    expect(await runLeft(w.engine.open(requestWith(w.planted)))).toMatchObject({ _tag: 'InvalidCookie' })
    const handed = await poll(w)
    w.clock.advance(11)
    await poll(w)
    // Whatever the attacker was handed does not open to the victim's session either.
    const after = await w.engine.open(requestWith(handed.lines))()
    if (after._tag === 'Right') expect(after.right.get('user')).toBeUndefined()
  })

  it('regenerate ends the old id with no successor, even without a change of subject', async () => {
    const w = await plant()
    await w.victim.visit(async (s) => {
      s.set('user', 'victim')
      await runRight(w.engine.regenerate(s))
    })
    expect((await runRight(w.engine.open(w.victim.request()))).get('user')).toBe('victim')
    expect(await runLeft(w.engine.open(requestWith(w.planted)))).toMatchObject({ _tag: 'InvalidCookie' })
    await poll(w)
  })

  it('a rotation within one subject still serves the successor to a stale cookie', async () => {
    const w = await plant()
    await w.victim.login('victim')
    const before = w.victim.jar.lines
    await w.victim.visit((s) => s.set('step', 2))
    const s = await runRight(w.engine.open(requestWith(before)))
    expect(s.get('step')).toBe(2)
  })
}
