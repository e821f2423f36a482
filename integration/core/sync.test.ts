import { createSessionEngine, type SessionEngine } from '@tessera/core'
import { syncSeamOf } from '@tessera/core/internal'
import { createMemoryStore } from '@tessera/store-memory'
import { fakeClock, requestWith, runRight, scriptedRandom } from '@tessera/test-kit'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
const T0 = 1_700_000_000

const right = <A>(r: E.Either<unknown, A> | undefined): A => {
  if (r === undefined || E.isLeft(r)) throw new Error(`expected a Right, got ${JSON.stringify(r)}`)
  return r.right
}

/** A logged-in browser's Cookie header lines, made through the async API. */
const loggedIn = async (engine: SessionEngine) => {
  const s = await runRight(engine.start(requestWith([])))
  s.set('user', 'alice')
  const out = await runRight(engine.save(s))
  return out.setCookie.map((l) => l.slice(0, l.indexOf(';')))
}

describe('the synchronous API', () => {
  it('opens and saves cookie storage at once, as the async API would', async () => {
    const clock = fakeClock(T0)
    const engine = createSessionEngine({ secret: SECRET }, { clock, random: scriptedRandom() })
    const cookies = await loggedIn(engine)
    const s = right(syncSeamOf(engine).start(requestWith(cookies)))
    expect(s.get('user')).toBe('alice')
    s.set('user', 'bob')
    const out = right(syncSeamOf(engine).save(s))
    const again = await runRight(engine.open(requestWith(out.setCookie.map((l) => l.slice(0, l.indexOf(';'))))))
    expect(again.get('user')).toBe('bob')
  })

  it('says undefined where I/O is needed: server storage with a cookie, a save to a store', async () => {
    const clock = fakeClock(T0)
    const engine = createSessionEngine(
      { secret: SECRET },
      { clock, random: scriptedRandom(), store: createMemoryStore() },
    )
    const cookies = await loggedIn(engine)
    expect(syncSeamOf(engine).start(requestWith(cookies))).toBeUndefined()
    // No cookie at all needs nothing from the store.
    const fresh = right(syncSeamOf(engine).start(requestWith([])))
    fresh.set('user', 'carol')
    expect(syncSeamOf(engine).save(fresh)).toBeUndefined()
  })

  it('leaves reopening from a remember cookie to the async API', async () => {
    const clock = fakeClock(T0)
    const engine = createSessionEngine({ secret: SECRET, remember: true }, { clock, random: scriptedRandom() })
    const cookies = await loggedIn(engine)
    const rememberOnly = cookies.filter((c) => !c.startsWith('session='))
    expect(rememberOnly).toHaveLength(1)
    expect(syncSeamOf(engine).start(requestWith(rememberOnly))).toBeUndefined()
    expect((await runRight(engine.start(requestWith(rememberOnly)))).get('user')).toBe('alice')
  })

  it('keeps alive at once, rotating in cookie storage and deferring the rotation to a store', async () => {
    const clock = fakeClock(T0)
    const cookieEngine = createSessionEngine(
      { secret: SECRET, rollingTimeout: 3600, idlingTimeout: 0 },
      { clock, random: scriptedRandom() },
    )
    const serverEngine = createSessionEngine(
      { secret: SECRET, rollingTimeout: 3600, idlingTimeout: 0 },
      { clock, random: scriptedRandom(), store: createMemoryStore() },
    )
    const [c, s] = [await loggedIn(cookieEngine), await loggedIn(serverEngine)]
    expect(right(syncSeamOf(cookieEngine).keepAlive(requestWith(c))).setCookie).toEqual([])
    clock.advance(2701) // past 75% of the rolling timeout
    expect(right(syncSeamOf(cookieEngine).keepAlive(requestWith(c))).setCookie).toHaveLength(1)
    expect(syncSeamOf(serverEngine).keepAlive(requestWith(s))).toBeUndefined()
  })
})

describe('server storage reopening a header it has seen', () => {
  it('decrypts again when the record no longer holds the ciphertext it was issued with', async () => {
    const clock = fakeClock(T0)
    const store = createMemoryStore()
    const engine = createSessionEngine({ secret: SECRET }, { clock, random: scriptedRandom(), store })
    const cookies = await loggedIn(engine)
    const s = await runRight(engine.open(requestWith(cookies)))
    expect(s.get('user')).toBe('alice')
    const key = s.id ?? ''
    const record = await store.read('session', key, T0)
    expect(record).not.toBeNull()
    // Another writer replaced the ciphertext in place (as OpenResty's save_info can): not ours to trust.
    const changed = await store.update({
      name: 'session',
      key,
      value: JSON.stringify(['AAAA']),
      version: record?.version ?? 0,
      now: T0,
    })
    expect(changed).toBe('ok')
    const reopened = await engine.open(requestWith(cookies))()
    expect(E.isLeft(reopened) && reopened.left._tag).toBe('InvalidCookie')
  })
})
