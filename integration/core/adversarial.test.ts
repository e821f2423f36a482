/**
 * Hostile data and cookies against an engine on a store: the server-storage
 * half of packages/core/src/adversarial.test.ts. Each case must end in a
 * typed value, never an exception.
 */
import { createSessionEngine, type SessionEngine } from '@tessera/core'
import { syncSeamOf } from '@tessera/core/internal'
import { createMemoryStore } from '@tessera/store-memory'
import { everyCallSettles, fakeClock, requestWith, runRight } from '@tessera/test-kit'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

const SECRET = 'Zq7Kt2vLx9Pw4Rb8Nm3Hs6Jd1Fg5Yc0Ea'
const OTHER = 'Wf4Gz8Qe1Tn6Vk3Xa9Lr2Mp7Uh5Dj0CsIo'
const T0 = 1_700_000_000

const login = async (engine: SessionEngine, data: Record<string, unknown> = { user: 'alice' }) => {
  const s = await runRight(engine.start(requestWith()))
  for (const [k, v] of Object.entries(data)) s.set(k, v)
  s.setSubject('alice')
  return (await runRight(engine.save(s))).setCookie
}

describe('session data that JSON cannot carry resolves to a typed Left', () => {
  const deep = () => {
    let v: Record<string, unknown> = {}
    for (let i = 0; i < 100_000; i++) v = { v }
    return v
  }
  const circular = () => {
    const a: Record<string, unknown> = { name: 'a' }
    a.self = a
    return a
  }
  const cases: [string, () => unknown][] = [
    ['a BigInt', () => 10n],
    ['a circular reference', circular],
    [
      'a toJSON that throws',
      () => ({
        toJSON() {
          throw new Error('no')
        },
      }),
    ],
    ['nesting 100,000 deep', deep],
  ]
  for (const [what, value] of cases) {
    it(`${what} (server storage)`, async () => {
      const e = createSessionEngine({ secret: SECRET }, { store: createMemoryStore() })
      const s = await runRight(e.start(requestWith()))
      s.set('x', value())
      const saved = await e.save(s)()
      expect(E.isLeft(saved) && saved.left).toMatchObject({ _tag: 'UnsavableData' })
    })
  }

  it('every engine call resolves to an Either, whatever the data and the request', async () => {
    const engine = createSessionEngine(
      { secret: SECRET, storeMetadata: true, responseHeaders: ['subject', 'timeout'] },
      { clock: fakeClock(T0), store: createMemoryStore() },
    )
    const real = await login(engine)
    await everyCallSettles(engine, real, {
      numRuns: 75,
      atOnce: (req) => [syncSeamOf(engine).start(req), syncSeamOf(engine).keepAlive(req)],
    })
  })
})

describe('a cookie under a fallback secret is re-issued under the primary when it opens', () => {
  it('server storage: the record is rewritten under the primary', async () => {
    const store = createMemoryStore()
    const clock = fakeClock(T0)
    const old = await login(createSessionEngine({ secret: SECRET }, { store, clock }))
    const engine = createSessionEngine({ secret: OTHER, secretFallbacks: [SECRET] }, { store, clock })
    const s = await runRight(engine.start(requestWith(old)))
    const lines = engine.outcome(s).setCookie
    expect(lines).toHaveLength(1)
    const onlyNew = createSessionEngine({ secret: OTHER }, { store, clock })
    expect((await runRight(onlyNew.open(requestWith(lines)))).get('user')).toBe('alice')
  })
})

describe('duplicate session cookies (one tossed in from a sibling subdomain)', () => {
  it('the one that verifies is used in server storage too', async () => {
    const store = createMemoryStore()
    const engine = createSessionEngine({ secret: SECRET }, { store, clock: fakeClock(T0) })
    const real = (await login(engine))[0] ?? ''
    const s = await runRight(engine.start(requestWith(['session=junk', real])))
    expect(s.get('user')).toBe('alice')
    expect(engine.outcome(s).setCookie).toEqual([])
  })
})
