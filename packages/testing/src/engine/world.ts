/** A small world for engine scenarios: engines on the harness's store, one fake clock, and browsers. */
import { randomBytes } from 'node:crypto'
import {
  createSessionEngine,
  type RevocationStore,
  type Session,
  type SessionOptions,
  type SessionStore,
} from '@tessera/core'
import { cookieJar, type FakeClock, fakeClock, requestWith, runRight, scriptedRandom } from '@tessera/test-kit'

/** A secret drawn once per process: the package ships none that an app could copy. */
const SECRET = randomBytes(32).toString('base64url')
/**
 * The scenarios' start time: now (stores count their own TTLs from the caller's time, so any start
 * would do; this one keeps the times realistic). The clock then moves only by hand.
 */
export const T0 = Math.floor(Date.now() / 1000)

/** An engine on `store` with server storage and metadata on (unless `options` says otherwise). */
export const engineOn = (
  store: SessionStore | RevocationStore,
  clock: FakeClock,
  options: Partial<SessionOptions> = {},
  ...sids: string[]
) =>
  createSessionEngine(
    { secret: SECRET, storeMetadata: true, idlingTimeout: 0, ...options },
    { store, clock, random: scriptedRandom(...sids) },
  )

export type Engine = ReturnType<typeof engineOn>

/** The revocation marks of a store and nothing else: what cookie storage takes at the least. */
export const marksAlone = (store: RevocationStore): RevocationStore => ({
  deny: (...args) => store.deny(...args),
  isDenied: (...args) => store.isDenied(...args),
  setNotBefore: (...args) => store.setNotBefore(...args),
  getNotBefore: (...args) => store.getNotBefore(...args),
})

/** A browser: `visit` starts its session, lets `act` use it, saves when changed, and keeps the cookies. */
export const browser = (engine: Engine, userAgent = 'test-browser') => {
  const jar = cookieJar()
  const request = () => requestWith(jar.lines, { headers: { 'user-agent': userAgent } })
  const visit = async (act?: (s: Session) => unknown) => {
    const s = await runRight(engine.start(request()))
    await act?.(s)
    if (s.changed && s.state !== 'closed') await runRight(engine.save(s))
    jar.apply(engine.outcome(s).setCookie)
    return s
  }
  const login = (subject: string) =>
    visit((s) => {
      s.setSubject(subject)
      s.set('user', subject)
      s.setInfo('userAgent', userAgent)
    })
  return { jar, request, visit, login }
}

/** A fresh clock at T0 for each scenario. */
export const clockAtStart = () => fakeClock(T0)
