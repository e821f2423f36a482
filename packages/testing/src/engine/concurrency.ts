/** Concurrent requests on one session: no lost updates, stale cookies served the live data. */

import { requestWith, runLeft, runRight } from '@tessera/test-kit'
import { expect, it } from 'vitest'
import type { HarnessRef } from '../harness.js'
import { browser, clockAtStart, type Engine, engineOn } from './world.js'

export const describeConcurrency = (current: HarnessRef) => {
  it('50 concurrent requests each setting a different key: all 50 keys are there afterwards', async () => {
    const clock = clockAtStart()
    const engine = engineOn(current().store, clock)
    const alice = browser(engine)
    await alice.login('alice')
    const cookies = alice.jar.lines
    const responses = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const s = await runRight(engine.start(requestWith(cookies)))
        s.set(`key${i}`, i)
        return runRight(engine.save(s))
      }),
    )
    // Whichever response the browser kept last, it leads to the same live data.
    for (const r of [responses[0], responses[49]]) {
      const s = await runRight(engine.open(requestWith(r?.setCookie ?? [])))
      for (let i = 0; i < 50; i++) expect(s.get(`key${i}`), `key${i}`).toBe(i)
    }
  })

  it('5 app nodes (engines) on one store, 50 concurrent saves on one session: no Conflict, no key lost', async () => {
    const clock = clockAtStart()
    const nodes = Array.from({ length: 5 }, () => engineOn(current().store, clock))
    const alice = browser(nodes[0] as Engine)
    await alice.login('alice')
    const cookies = alice.jar.lines
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const node = nodes[i % nodes.length] as Engine
        const s = await runRight(node.start(requestWith(cookies)))
        s.set(`key${i}`, i)
        return node.save(s)()
      }),
    )
    expect(results.filter((r) => r._tag === 'Left').map((r) => r._tag === 'Left' && r.left)).toEqual([])
    const last = results[49]
    const s = await runRight((nodes[0] as Engine).open(requestWith(last?._tag === 'Right' ? last.right.setCookie : [])))
    const lost = Array.from({ length: 50 }, (_, i) => `key${i}`).filter((key, i) => s.get(key) !== i)
    expect(lost).toEqual([])
  })

  it('20 concurrent requests with the pre-rotation cookie inside staleTtl see the successor; after it, rejected', async () => {
    const clock = clockAtStart()
    const engine = engineOn(current().store, clock, { staleTtl: 10 })
    const alice = browser(engine)
    await alice.login('alice')
    const before = alice.jar.lines
    clock.advance(2701)
    await alice.visit((s) => s.set('step', 'after rotation'))
    clock.advance(5)
    const opened = await Promise.all(Array.from({ length: 20 }, () => runRight(engine.start(requestWith(before)))))
    for (const s of opened) {
      expect(s.get('step')).toBe('after rotation')
      expect(engine.outcome(s).setCookie.join()).toContain(alice.jar.value('session'))
    }
    clock.advance(6)
    expect(await runLeft(engine.open(requestWith(before)))).toMatchObject({ _tag: 'InvalidCookie', reason: 'record' })
  })

  it('a logout racing an in-flight save never resurrects the session', async () => {
    const clock = clockAtStart()
    const engine = engineOn(current().store, clock)
    const alice = browser(engine)
    await alice.login('alice')
    const saving = await runRight(engine.open(alice.request()))
    const leaving = await runRight(engine.open(alice.request()))
    await runRight(engine.destroy(leaving))
    saving.set('late', true)
    expect(await runLeft(engine.save(saving))).toMatchObject({ _tag: 'Revoked' })
    expect(await runLeft(engine.open(alice.request()))).toMatchObject({ _tag: 'InvalidCookie' })
  })

  it('a save that lands just before a logout is deleted with it', async () => {
    const clock = clockAtStart()
    const engine = engineOn(current().store, clock)
    const alice = browser(engine)
    await alice.login('alice')
    const saving = await runRight(engine.open(alice.request()))
    const leaving = await runRight(engine.open(alice.request()))
    saving.set('early', true)
    const saved = await runRight(engine.save(saving))
    await runRight(engine.destroy(leaving))
    expect(await runLeft(engine.open(requestWith(saved.setCookie)))).toMatchObject({ _tag: 'InvalidCookie' })
  })

  it('20 parallel requests that rotate one cookie converge on one successor, which opens after staleTtl', async () => {
    const clock = clockAtStart()
    const options = { staleTtl: 10, rollingTimeout: 1000 }
    // Two app nodes on one store: the requests race within a process and between processes.
    const nodes = [engineOn(current().store, clock, options), engineOn(current().store, clock, options)] as const
    const [engine] = nodes
    const alice = browser(engine)
    await alice.login('alice')
    const cookies = alice.jar.lines
    clock.advance(751)
    const replies = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const engine = nodes[i % 2] ?? nodes[0]
        const s = await runRight(engine.start(requestWith(cookies)))
        return engine.outcome(s).setCookie
      }),
    )
    const issued = new Set(replies.map((r) => r.find((l) => l.startsWith('session='))?.split(';')[0]))
    expect(issued.size).toBe(1)
    const kept = replies[Math.floor(Math.random() * replies.length)] ?? []
    clock.advance(11)
    expect((await runRight(engine.open(requestWith(kept)))).get('user')).toBe('alice')
  })
}
