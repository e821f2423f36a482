// Cookie codec speed: encode and decode of a ~200-byte session, side by side,
//   1. Tessera through its public engine (start + set + save / open + read / open + touch),
//   2. the floor: a minimal lua-resty-session 4.x codec on node:crypto (lib/floor.ts),
//      checked at start-up to be byte-compatible with Tessera in both directions,
//   3. iron-session's sealData / unsealData.
// Then, separately, keys.ts's derivation (HKDF-Expand over createHmac from a PRK
// extracted once per secret, kept per session id) uncached and cached.
// Run with: node --import tsx --expose-gc codec.bench.ts
import { deepStrictEqual, notStrictEqual, strictEqual } from 'node:assert/strict'
import { createHash, hkdfSync, randomFillSync } from 'node:crypto'
import { createSessionEngine, type Outcome, type Session, type SessionRequest } from '@tessera/core'
import { syncSeamOf } from '@tessera/core/internal'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { sealData, unsealData } from 'iron-session'
import { encryptionKey, keyMaterial, macKey } from '../packages/core/src/wire/keys.js'
import { createFloor, HEADER_TEXT, MAC_INPUT, pooledRandom } from './lib/floor.js'
import { measureInterleaved, ROUNDS, summarize, us } from './lib/measure.js'

// ---------------------------------------------------------------------------
// Inputs

const SECRET = 'bench-secret-9f4c1a7e2b6d8053c4e1f7a9b2d6e8c0'
const IRON_PASSWORD = 'iron-password-at-least-32-characters-long!'
const COOKIE = 'session'
const AUDIENCE = 'default'

interface Data extends Record<string, unknown> {
  user: string
  roles: string[]
  csrf: string
  prefs: { theme: string; lang: string; tz: string; pageSize: number; beta: boolean }
}

const DATA: Data = {
  user: 'alice@example.com',
  roles: ['admin', 'editor'],
  csrf: 'q7Zk2W9xN4bL1vT8mR3cY6pH0sJ5dF2a',
  prefs: { theme: 'dark', lang: 'en-GB', tz: 'Europe/Berlin', pageSize: 50, beta: true },
}
const KEYS = Object.keys(DATA) as (keyof Data & string)[]

/** A clock the bench controls (the touch check moves it forward). */
let nowMs = Date.now()
const clock = { now: (): number => nowMs }
const nowSeconds = (): number => Math.floor(nowMs / 1000)

// ---------------------------------------------------------------------------
// The three contenders, and their operations as the measured functions call them

const run = async <A>(te: TE.TaskEither<unknown, A>): Promise<A> => {
  const r = await te()
  if (E.isLeft(r)) throw new Error(`Left: ${JSON.stringify(r.left)}`)
  return r.right
}

/** `session=<value>; attributes` -> the request a browser would send back. */
const cookieValue = (line: string): string => line.slice(COOKIE.length + 1, line.indexOf(';'))
const requestWith = (line: string): SessionRequest => ({ headers: { cookie: `${COOKIE}=${cookieValue(line)}` } })

const random = pooledRandom()
const engine = createSessionEngine<Data>({ secret: SECRET, cookie: { name: COOKIE } }, { clock, random })
const attributes = engine.options.cookie.attributes
const floor = createFloor(SECRET, attributes, { name: COOKIE, audience: AUDIENCE })
const EMPTY_REQUEST: SessionRequest = { headers: {} }

const tessera = {
  encode: async (): Promise<string> => {
    const s = await run(engine.start(EMPTY_REQUEST))
    for (const k of KEYS) s.set(k, DATA[k])
    const o: Outcome = await run(engine.save(s))
    return o.setCookie[0]!
  },
  decode: async (req: SessionRequest): Promise<Readonly<Partial<Data>>> => (await run(engine.open(req))).data,
  touch: async (req: SessionRequest): Promise<string> => {
    const s: Session<Data> = await run(engine.open(req))
    return (await run(engine.touch(s))).setCookie[0]!
  },
}

/** The synchronous API (cookie storage needs no I/O): what the HTTP bindings run. */
const sync = <A>(r: E.Either<unknown, A> | undefined): A => {
  if (r === undefined) throw new Error('cookie storage without a store should never need the async path')
  if (E.isLeft(r)) throw new Error(`Left: ${JSON.stringify(r.left)}`)
  return r.right
}
const tesseraSync = {
  encode: (): string => {
    const s = sync(syncSeamOf(engine).start(EMPTY_REQUEST))
    for (const k of KEYS) s.set(k, DATA[k])
    return sync(syncSeamOf(engine).save(s)).setCookie[0]!
  },
  decode: (req: SessionRequest): Readonly<Partial<Data>> => sync(syncSeamOf(engine).start(req)).data,
}

const floorOps = {
  encode: (): string => floor.encode(DATA, random.bytes(32), nowSeconds()),
  decode: (req: SessionRequest): Record<string, unknown> =>
    floor.decode(cookieValue(`${req.headers.cookie as string};`), nowSeconds()),
  touch: (req: SessionRequest): string => floor.touch(cookieValue(`${req.headers.cookie as string};`), nowSeconds()),
}

const iron = {
  encode: (): Promise<string> => sealData(DATA, { password: IRON_PASSWORD }),
  decode: (seal: string): Promise<Data> => unsealData<Data>(seal, { password: IRON_PASSWORD }),
}

// ---------------------------------------------------------------------------
// Start-up checks: the comparison is only honest if the floor speaks the same format.

const checkCompatibility = async (): Promise<void> => {
  const plaintextBytes = Buffer.byteLength(JSON.stringify([[DATA, AUDIENCE]]))
  const dataBytes = Buffer.byteLength(JSON.stringify(DATA))

  // Same SID, time, data and secret: the floor and Tessera emit the same Set-Cookie line
  // (with plain ids, as the reference and the floor issue them: a tagged id differs in its last 16 bytes).
  const sid = randomFillSync(Buffer.alloc(32))
  const fixed = createSessionEngine<Data>(
    { secret: SECRET, cookie: { name: COOKIE }, tagSessionIds: false },
    { clock, random: { bytes: (n) => Buffer.from(sid.subarray(0, n)) } },
  )
  const s = await run(fixed.start(EMPTY_REQUEST))
  for (const k of KEYS) s.set(k, DATA[k])
  const ours = (await run(fixed.save(s))).setCookie[0]!
  strictEqual(floor.encode(DATA, sid, nowSeconds()), ours, 'floor and Tessera encode to different bytes')

  // Floor -> Tessera and Tessera -> floor, with fresh SIDs.
  const fromFloor = floorOps.encode()
  deepStrictEqual({ ...(await tessera.decode(requestWith(fromFloor))) }, DATA, 'Tessera cannot open the floor cookie')
  const fromTessera = await tessera.encode()
  deepStrictEqual(floorOps.decode(requestWith(fromTessera)), DATA, 'the floor cannot open the Tessera cookie')
  deepStrictEqual(await iron.decode(await iron.encode()), DATA)

  // A touch re-MACs the header and never re-encrypts: type..tag and the payload stay, idling and MAC change.
  nowMs += 120_000
  const touched = await tessera.touch(requestWith(fromTessera))
  const [before, after] = [cookieValue(fromTessera), cookieValue(touched)]
  strictEqual(after.slice(HEADER_TEXT), before.slice(HEADER_TEXT), 'touch changed the ciphertext')
  const [hb, ha] = [Buffer.from(before.slice(0, HEADER_TEXT), 'base64url'), Buffer.from(after, 'base64url')]
  deepStrictEqual(ha.subarray(0, 63), hb.subarray(0, 63), 'touch changed type..tag')
  strictEqual(ha.readUIntLE(63, 3), 120, 'idling offset not moved')
  notStrictEqual(ha.subarray(MAC_INPUT).toString('hex'), hb.subarray(MAC_INPUT).toString('hex'), 'MAC not recomputed')
  strictEqual(floorOps.touch(requestWith(fromTessera)), touched, 'floor touch differs from Tessera touch')
  deepStrictEqual(floorOps.decode(requestWith(touched)), DATA)
  nowMs -= 120_000

  console.log(
    `session data ${dataBytes} B JSON (${plaintextBytes} B plaintext with the audience entry); ` +
      `cookie value ${cookieValue(ours).length} chars; iron seal ${(await iron.encode()).length} chars`,
  )
  console.log(
    'compatibility: floor == Tessera byte for byte (same SID/time); each opens the other; touch keeps payload',
  )
}

// ---------------------------------------------------------------------------
// Measuring

/**
 * Cookies this engine has never seen, made by another engine with the same secret: opening
 * them misses the recent-cookie table and the derived-key cache, as a cookie issued by another
 * app node would. 4096 of them, cycled: each comes round again long after it was evicted.
 */
const unseen = (() => {
  const issuer = createSessionEngine<Data>(
    { secret: SECRET, cookie: { name: COOKIE } },
    { clock, random: pooledRandom() },
  )
  const requests = Array.from({ length: 4096 }, () => {
    const s = sync(syncSeamOf(issuer).start(EMPTY_REQUEST))
    for (const k of KEYS) s.set(k, DATA[k])
    return requestWith(sync(syncSeamOf(issuer).save(s)).setCookie[0]!)
  })
  let i = 0
  return (): SessionRequest => requests[i++ % requests.length]!
})()

async function codec(): Promise<void> {
  const tCookie = requestWith(await tessera.encode())
  const fCookie = requestWith(floorOps.encode())
  const seal = await iron.encode()

  const results = await measureInterleaved([
    ['tessera encode', () => tesseraSync.encode(), 5000],
    ['tessera-te encode', () => tessera.encode(), 5000],
    ['floor encode', () => floorOps.encode(), 5000],
    ['iron encode', () => iron.encode(), 500],
    ['tessera decode', () => tesseraSync.decode(tCookie), 5000],
    ['tessera-te decode', () => tessera.decode(tCookie), 5000],
    ['floor decode', () => floorOps.decode(fCookie), 5000],
    ['tessera decode unseen', () => tesseraSync.decode(unseen()), 5000],
    ['floor decode unseen', () => floorOps.decode(unseen()), 5000],
    ['iron decode', () => iron.decode(seal), 500],
    ['tessera round trip', () => tesseraSync.decode(requestWith(tesseraSync.encode())), 3000],
    ['floor round trip', () => floorOps.decode(requestWith(floorOps.encode())), 3000],
    ['iron round trip', async () => iron.decode(await iron.encode()), 300],
    ['tessera open + touch', () => tessera.touch(tCookie), 5000],
    ['floor verify + touch', () => floorOps.touch(fCookie), 5000],
  ])

  const ratio = (a: string, b: string, k: 'mean' | 'p50') => {
    const [x, y] = [results.get(a), results.get(b)]
    return x === undefined || y === undefined ? '-' : `${(x[k] / y[k]).toFixed(2)}x`
  }
  const rows = []
  for (const path of ['encode', 'decode', 'decode unseen', 'round trip']) {
    for (const who of ['tessera', 'tessera-te', 'floor', 'iron']) {
      const s = results.get(`${who} ${path}`)
      if (s === undefined) continue
      rows.push({ path, impl: who, mean: us(s.mean), p50: us(s.p50), p75: us(s.p75), p99: us(s.p99), n: s.n })
    }
  }
  console.log(`\nµs per operation, ${ROUNDS} interleaved rounds pooled (Node ${process.version})`)
  console.table(rows)
  console.log(
    "tessera: the engine's synchronous API (startSync / saveSync: cookie storage needs no I/O, and the HTTP bindings run it); " +
      'tessera-te: the same through the TaskEither API (start / save / open), each call awaited',
  )
  console.log('ratios by mean (by p50); targets: tessera/floor <= 1.15x, iron/tessera >= 10x')
  console.log(
    'decode: the same cookie opened again (Tessera: recent-cookie table, no cryptography); ' +
      'decode unseen: each cookie new to this engine (MAC, key derivation and AES every time)',
  )
  console.table(
    ['encode', 'decode', 'decode unseen', 'round trip'].map((path) => ({
      path,
      'tessera/floor': `${ratio(`tessera ${path}`, `floor ${path}`, 'mean')} (${ratio(`tessera ${path}`, `floor ${path}`, 'p50')})`,
      'tessera-te/floor': results.has(`tessera-te ${path}`)
        ? `${ratio(`tessera-te ${path}`, `floor ${path}`, 'mean')} (${ratio(`tessera-te ${path}`, `floor ${path}`, 'p50')})`
        : '-',
      'iron/tessera': `${ratio(`iron ${path}`, `tessera ${path}`, 'mean')} (${ratio(`iron ${path}`, `tessera ${path}`, 'p50')})`,
    })),
  )
  const get = (name: string) => results.get(name) ?? summarize([])
  const [touch, open, floorTouch] = [get('tessera open + touch'), get('tessera decode'), get('floor verify + touch')]
  console.log(
    `touch (p50): tessera open + touch ${us(touch.p50)} µs vs open alone ${us(open.p50)} µs, ` +
      `so the touch adds ${us(touch.p50 - open.p50)} µs (MAC key expand + HMAC; no AES, payload unchanged); ` +
      `floor verify + re-MAC ${us(floorTouch.p50)} µs`,
  )
}

// ---------------------------------------------------------------------------
// keys.ts (expand only, over createHmac; kept per session id) against crypto.hkdfSync (extract + expand each call)

async function hkdf(): Promise<void> {
  const ikm = createHash('sha256').update(SECRET).digest()
  const km = keyMaterial(ikm)
  const sid = randomFillSync(Buffer.alloc(32))
  const empty = Buffer.alloc(0)
  const encInfo = Buffer.concat([Buffer.from('encryption:'), sid])
  const authInfo = Buffer.concat([Buffer.from('authentication:'), sid])

  // The two agree before they race.
  deepStrictEqual(
    Buffer.from(hkdfSync('sha256', ikm, empty, encInfo, 44)),
    Buffer.concat(Object.values(encryptionKey(km, sid))),
  )
  deepStrictEqual(Buffer.from(hkdfSync('sha256', ikm, empty, authInfo, 32)), macKey(km, sid))

  // keys.ts keeps recently derived keys per session id: give it a new id every call, so the
  // derivation itself is measured.
  // Drawn up front, so the timing holds no random-number syscall; 64k ids cycle far past the 256-entry cache.
  const ids = Array.from({ length: 65_536 }, () => randomFillSync(Buffer.alloc(32)))
  let next = 0
  const fresh = () => ids[next++ & 65_535] as Buffer
  const cases: [string, () => unknown][] = [
    ['keys.ts encryptionKey (expand 44 B, uncached)', () => encryptionKey(km, fresh())],
    ['hkdfSync 44 B (extract + expand)', () => hkdfSync('sha256', ikm, empty, encInfo, 44)],
    ['keys.ts macKey (expand 32 B, uncached)', () => macKey(km, fresh())],
    ['keys.ts encryptionKey, cached (same session id)', () => encryptionKey(km, sid)],
    ['hkdfSync 32 B (extract + expand)', () => hkdfSync('sha256', ikm, empty, authInfo, 32)],
  ]
  const results = await measureInterleaved(cases.map(([name, fn]) => [name, fn, 5000] as const))
  const rows = [...results].map(([derivation, s]) => ({
    derivation,
    mean: us(s.mean),
    p50: us(s.p50),
    p75: us(s.p75),
    p99: us(s.p99),
  }))
  console.log('\nHKDF, µs per call: per session id both keys are derived (enc 44 B + mac 32 B)')
  console.table(rows)
}

await checkCompatibility()
await codec()
await hkdf()
