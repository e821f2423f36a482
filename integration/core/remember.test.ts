/** Remember cookies in server storage (cookie storage: packages/core/src/remember.test.ts). */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createSessionEngine, type SessionOptions } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { fakeClock, requestWith, runLeft, runRight } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
const T0 = 1_700_000_000

const setup = (options: Partial<SessionOptions> = {}) =>
  createSessionEngine(
    { secret: SECRET, remember: true, rememberSafety: 'Low', storage: 'server', ...options },
    { clock: fakeClock(T0), store: createMemoryStore() },
  )

/** Logs alice in with remember on; the values of the session and remember cookies the response set. */
const login = async (engine: ReturnType<typeof setup>) => {
  const s = await runRight(engine.start(requestWith()))
  s.set('user', 'alice')
  s.setSubject('alice')
  s.setRemember(true)
  const lines = (await runRight(engine.save(s))).setCookie
  const value = (name: string) => {
    const line = lines.find((l) => l.startsWith(`${name}=`)) ?? ''
    return line.slice(name.length + 1, line.indexOf(';'))
  }
  return { session: value('session'), remember: value('remember') }
}

describe('one kind of cookie is never opened as the other', () => {
  it('a session cookie sent as the remember cookie is refused before any key is derived, in server storage', async () => {
    const engine = setup()
    const { session } = await login(engine)
    const left = await runLeft(engine.open(requestWith([`remember=${session}`])))
    expect(left).toMatchObject({ _tag: 'InvalidCookie', reason: 'kind' })
  })
})

describe('PBKDF2 of a remember cookie', () => {
  it('runs off the event loop, in server storage', async () => {
    const engine = setup({ rememberSafety: 'Very High' })
    const { remember } = await login(engine)
    const delay = monitorEventLoopDelay({ resolution: 5 })
    delay.enable()
    const opening = engine.open(requestWith([`remember=${remember}`]))()
    const beside = await new Promise<number>((resolve) => {
      const from = performance.now()
      setTimeout(() => resolve(performance.now() - from), 1)
    })
    const s = await opening
    delay.disable()
    expect(s._tag).toBe('Right')
    // Very High is about 450 ms of PBKDF2: the loop keeps turning meanwhile.
    expect(beside).toBeLessThan(150)
    expect(delay.max / 1e6).toBeLessThan(150)
  })
})
