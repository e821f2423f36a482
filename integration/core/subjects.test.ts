import { createSessionEngine, type SessionOptions } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { cookieJar, fakeClock, requestWith, runLeft, runRight } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'

const SECRET = 'Qv7Tn2Lx9Wb4Kd1Hz6Pm3Rc8Fy5Js0Ga'
const T0 = 1_700_000_000
const IDLE = 600

/** An engine in server storage with an idle timeout, and devices of alice logging in at T0. */
const setup = (options: Partial<SessionOptions> = {}) => {
  const clock = fakeClock(T0)
  const store = createMemoryStore({ sweepIntervalMs: 0 })
  const engine = createSessionEngine(
    { secret: SECRET, storage: 'server', storeMetadata: true, idlingTimeout: IDLE, ...options },
    { store, clock },
  )
  const device = async () => {
    const jar = cookieJar()
    const s = await runRight(engine.start(requestWith()))
    s.setSubject('alice')
    s.set('user', 'alice')
    jar.apply((await runRight(engine.save(s))).setCookie)
    return { jar, request: () => requestWith(jar.lines), id: s.id }
  }
  const listed = async () =>
    (await runRight(engine.listSessions({ subject: 'alice' }))).map((x) => ({ id: x.id, lastActiveAt: x.lastActiveAt }))
  return { clock, engine, device, listed }
}

describe('listSessions and the idle timeout', () => {
  it('does not list a session idle past its timeout, one that was touched meanwhile is listed with its touch time', async () => {
    const { clock, engine, device, listed } = setup()
    const used = await device()
    const idle = await device()
    clock.advance(500)
    // A request past touchThreshold re-issues the cookie: a touch, no save.
    const s = await runRight(engine.start(used.request()))
    used.jar.apply(engine.outcome(s).setCookie)
    clock.advance(400)
    expect(await listed()).toEqual([{ id: used.id, lastActiveAt: T0 + 500 }])
    // What the listing says is what the cookies do.
    expect(await runLeft(engine.open(idle.request()))).toMatchObject({ _tag: 'Expired', timeout: 'idle' })
    expect((await runRight(engine.open(used.request()))).get('user')).toBe('alice')
  })

  it('lists a session exactly at its idle timeout, as its cookie still opens then', async () => {
    const { clock, engine, device, listed } = setup()
    const d = await device()
    clock.advance(IDLE)
    expect(await listed()).toEqual([{ id: d.id, lastActiveAt: T0 }])
    expect((await runRight(engine.open(d.request()))).get('user')).toBe('alice')
    clock.advance(1)
    expect(await listed()).toEqual([])
  })

  it('keepAlive (a request that never read its session) and touch() record the touch too', async () => {
    const { clock, engine, device, listed } = setup()
    const kept = await device()
    const touched = await device()
    clock.advance(500)
    kept.jar.apply((await runRight(engine.keepAlive(kept.request()))).setCookie)
    const s = await runRight(engine.open(touched.request()))
    touched.jar.apply((await runRight(engine.touch(s))).setCookie)
    clock.advance(400)
    expect(await listed()).toEqual(
      expect.arrayContaining([
        { id: kept.id, lastActiveAt: T0 + 500 },
        { id: touched.id, lastActiveAt: T0 + 500 },
      ]),
    )
  })

  it('without an idle timeout lists every live session by its last save', async () => {
    const { clock, device, listed } = setup({ idlingTimeout: 0 })
    const d = await device()
    clock.advance(2000)
    expect(await listed()).toEqual([{ id: d.id, lastActiveAt: T0 }])
  })
})
