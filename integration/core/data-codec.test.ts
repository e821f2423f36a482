import { randomBytes } from 'node:crypto'
import { createSessionEngine, type SessionOptions } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { cookieJar, fakeClock, requestWith, runLeft, runRight } from '@tessera/test-kit'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'

const SECRET = randomBytes(32).toString('base64url')

/** A transforming codec: a Date in the app, epoch seconds in the cookie (JSON.stringify alone would write an ISO string). */
const DateFromSeconds = new t.Type<Date, number, unknown>(
  'DateFromSeconds',
  (u): u is Date => u instanceof Date && !Number.isNaN(u.getTime()),
  (u, c) => (typeof u === 'number' && Number.isFinite(u) ? t.success(new Date(u * 1000)) : t.failure(u, c)),
  (d) => Math.floor(d.getTime() / 1000),
)
const Visit = t.type({ at: DateFromSeconds, n: t.number })
type VisitData = t.TypeOf<typeof Visit>

const world = (server: boolean) => {
  const clock = fakeClock(1_700_000_000)
  const store = createMemoryStore({ sweepIntervalMs: 0, clock: clock.now })
  const options: SessionOptions = {
    secret: SECRET,
    schemas: { default: Visit },
    ...(server ? { storage: 'server' } : {}),
  }
  const engine = createSessionEngine<VisitData>(options, { clock, ...(server ? { store } : {}) })
  const browser = cookieJar()
  const start = () => runRight(engine.start(requestWith(browser.lines)))
  return { engine, browser, start, store }
}

describe.each([
  ['cookie storage', false],
  ['server storage', true],
])('the data codec on save (%s)', (_, server) => {
  it('a transforming codec encodes on save: the session opens again, typed, save after save', async () => {
    const w = world(server)
    const when = new Date(1_700_000_000_000)
    for (let n = 1; n <= 3; n++) {
      const s = await w.start()
      s.set('at', when)
      s.set('n', n)
      w.browser.apply((await runRight(w.engine.save(s))).setCookie)
      const again = await runRight(w.engine.open(requestWith(w.browser.lines)))
      expect(again.get('at')).toEqual(when)
      expect(again.get('n')).toBe(n)
    }
  })

  it('data that fails the codec is refused with InvalidData, and nothing is issued or stored', async () => {
    const w = world(server)
    const s = await w.start()
    s.set('at', new Date(1_700_000_000_000))
    s.set('n', 1)
    w.browser.apply((await runRight(w.engine.save(s))).setCookie)
    const before = w.browser.lines
    const bad = await runRight(w.engine.open(requestWith(before)))
    bad.set('n', 'two' as unknown as number)
    expect(await runLeft(w.engine.save(bad))).toMatchObject({ _tag: 'InvalidData', audience: 'default' })
    expect(w.engine.outcome(bad).setCookie).toEqual([])
    // The session is as it was: the refused data reached neither a cookie nor the store.
    expect((await runRight(w.engine.open(requestWith(before)))).get('n')).toBe(1)
    // Server storage: the record it opened was not rotated away (no successor was written).
    if (server) expect((await w.store.read('session', bad.id as string, 1_700_000_000))?.successor).toBeNull()
  })
})
