import { fakeClock, requestWith, runRight, scriptedRandom } from '@tessera/test-kit'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createSessionEngine, type EngineDeps, type SessionOptions } from '../index.js'
import type { SessionStore } from '../ports/ports.js'
import { syncSeamOf } from './seam.js'

const SECRET = 'Zq7Kt2vLx9Pw4Rb8Nm3Hs6Jd1Fg5Yc0Ea'
const OLD_SECRET = 'Wf4Gz8Qe1Tn6Vk3Xa9Lr2Mp7Uh5Dj0CsIo'
const T0 = 1_700_000_000

/** A store whose functions are never called here: only its shape decides the storage. */
const unused = () => Promise.reject(new Error('not called'))
const STORE = Object.fromEntries(
  ['read', 'write', 'update', 'touch', 'remove', 'listIndex', 'removeIndexed']
    .concat(['deny', 'isDenied', 'setNotBefore', 'getNotBefore'])
    .map((name) => [name, unused]),
) as unknown as SessionStore
const MARKS = { deny: unused, isDenied: unused, setNotBefore: unused, getNotBefore: unused }

const engineWith = (options: Partial<SessionOptions>, deps: EngineDeps = {}) =>
  createSessionEngine({ secret: SECRET, ...options }, { random: scriptedRandom(), ...deps })

describe('settlesAtOnce: the seam answers start, save and keepAlive at once', () => {
  it('is true for cookie storage alone, and false for each thing that needs I/O or PBKDF2', () => {
    expect(syncSeamOf(engineWith({})).settlesAtOnce).toBe(true)
    expect(syncSeamOf(engineWith({ idlingTimeout: 60, rollingTimeout: 120 })).settlesAtOnce).toBe(true)
    expect(syncSeamOf(engineWith({}, { store: STORE })).settlesAtOnce).toBe(false)
    expect(syncSeamOf(engineWith({ storage: 'cookie' }, { store: MARKS })).settlesAtOnce).toBe(false)
    expect(syncSeamOf(engineWith({ remember: true, rememberSafety: 'None' })).settlesAtOnce).toBe(false)
    expect(syncSeamOf(engineWith({ upstream: true })).settlesAtOnce).toBe(false)
  })

  // The HTTP edge holds only the head of such an engine's responses: an undefined here would leave it stuck.
  it('when true, never answers undefined: fresh, due, expired, tampered, repeated, foreign or old-secret cookies', async () => {
    const clock = fakeClock(T0)
    const options = { idlingTimeout: 60, rollingTimeout: 300, absoluteTimeout: 900 }
    const old = createSessionEngine({ secret: OLD_SECRET, ...options }, { clock, random: scriptedRandom() })
    const engine = createSessionEngine(
      { secret: SECRET, secretFallbacks: [OLD_SECRET], ...options },
      { clock, random: scriptedRandom() },
    )
    const seam = syncSeamOf(engine)
    expect(seam.settlesAtOnce).toBe(true)
    const loginOn = async (e: typeof engine) => {
      const s = await runRight(e.start(requestWith()))
      s.set('user', 'alice')
      const line = (await runRight(e.save(s))).setCookie[0] ?? ''
      return line.split(';')[0] ?? ''
    }
    const cookie = await loginOn(engine)
    const oldCookie = await loginOn(old)
    const value = cookie.slice(cookie.indexOf('=') + 1)
    const tampered = `session=${value.slice(0, 120)}${value[120] === 'A' ? 'B' : 'A'}${value.slice(121)}`
    const cookies = [
      undefined,
      cookie,
      oldCookie,
      tampered,
      `${cookie}; ${tampered}`,
      `session=${'x'.repeat(5000)}`,
      'session=junk; remember=junk',
    ]
    let answered = 0
    for (const after of [0, 30, 61, 301, 901]) {
      clock.set(T0 + after)
      for (const c of cookies) {
        const req = requestWith(c === undefined ? [] : [c])
        expect(seam.keepAlive(req)).toBeDefined()
        const started = seam.start(req)
        expect(started).toBeDefined()
        if (started === undefined || E.isLeft(started)) continue
        started.right.set('n', after)
        expect(seam.save(started.right)).toBeDefined()
        answered++
      }
    }
    expect(answered).toBe(35)
  })
})
