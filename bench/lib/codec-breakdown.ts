// Where Tessera's cookie encode / decode time goes, step by step, against the
// same steps of a minimal implementation. Not a *.bench.ts: run it by hand,
//   cd bench && node --import tsx lib/codec-breakdown.ts
// Each figure is the median over batches of the per-call time of that step alone.
import { createCipheriv, createDecipheriv, createHmac, randomFillSync, timingSafeEqual } from 'node:crypto'
import { createSessionEngine, type SessionRequest } from '@tessera/core'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as b64 from '../../packages/core/src/wire/base64url.js'
import { seal, unseal, verifyMac } from '../../packages/core/src/wire/codec.js'
import { chunkLines, parseCookieHeader } from '../../packages/core/src/wire/cookies.js'
import { decodeEntries, encodeEntries } from '../../packages/core/src/wire/entries.js'
import { readHeader } from '../../packages/core/src/wire/header.js'
import { encryptionKey, ikmFromSecret, keyMaterial, macKey } from '../../packages/core/src/wire/keys.js'
import { median } from './stats.js'

const SECRET = 'bench-secret-9f4c1a7e2b6d8053c4e1f7a9b2d6e8c0'
const DATA: Record<string, unknown> = {
  user: 'alice@example.com',
  roles: ['admin', 'editor'],
  csrf: 'q7Zk2W9xN4bL1vT8mR3cY6pH0sJ5dF2a',
  prefs: { theme: 'dark', lang: 'en-GB', tz: 'Europe/Berlin', pageSize: 50, beta: true },
}

const BATCH = 2000
const BATCHES = 25
const timeSync = (fn: () => unknown): number => {
  const per: number[] = []
  for (let b = 0; b < BATCHES; b++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < BATCH; i++) fn()
    per.push(Number(process.hrtime.bigint() - t0) / BATCH)
  }
  return median(per)
}
const timeAsync = async (fn: () => Promise<unknown>): Promise<number> => {
  const per: number[] = []
  for (let b = 0; b < BATCHES; b++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < BATCH; i++) await fn()
    per.push(Number(process.hrtime.bigint() - t0) / BATCH)
  }
  return median(per)
}
// Steps are collected first, then timed ROUNDS times interleaved; the best round is kept
// (on a shared machine the minimum of medians is the least coloured by other load).
const ROUNDS = 3
const steps: [string, () => number | Promise<number>][] = []
const report = (step: string, time: () => number | Promise<number>) => steps.push([step, time])

const engine = createSessionEngine({ secret: SECRET })
const km = keyMaterial(ikmFromSecret(SECRET))
const sid = randomFillSync(Buffer.alloc(32))
const entries = [{ data: { ...DATA }, audience: 'default', subject: undefined }]
const setData = (s: { set: (k: string, v: unknown) => void }) => {
  for (const k of Object.keys(DATA)) s.set(k, DATA[k])
}
const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}

// --- encode
const startS = async () => right(await engine.start({ headers: {} })())
report('engine.start (no cookie)', () => timeAsync(startS))
const fresh = await startS()
report('session.set x4', () => timeSync(() => setData(fresh)))
const saved = await startS()
setData(saved)
report('engine.save (cookie mode, whole)', () => timeAsync(async () => right(await engine.save(saved)())))
report('  encodeEntries (JSON.stringify + Buffer.from)', () => timeSync(() => encodeEntries(entries)))
const encoded = encodeEntries(entries)
if (encoded._tag === 'Left') throw new Error('entries do not encode')
const plaintext = encoded.right
const sealInput = {
  flags: 0,
  sid,
  creation: 1_700_000_000,
  rolling: 0,
  plaintext,
  compressionThreshold: 1024,
  km,
  binding: {},
}
/** A sealed session; the bench's small session never hits the size limit. */
const sealed0 = (x: ReturnType<typeof seal>): Exclude<ReturnType<typeof seal>, { _tag: 'TooLarge' }> => {
  if ('_tag' in x) throw new Error('too large')
  return x
}

report('  seal (whole)', () => timeSync(() => seal(sealInput)))
report('    encryptionKey (hkdfSync, cached per id)', () => timeSync(() => encryptionKey(km, sid)))
report('    macKey (hkdfSync, cached per id)', () => timeSync(() => macKey(km, sid)))
const { key, iv } = encryptionKey(km, sid)
const aad = Buffer.alloc(47)
report('    AES-GCM encrypt (createCipheriv..getAuthTag)', () =>
  timeSync(() => {
    const c = createCipheriv('aes-256-gcm', key, iv)
    c.setAAD(aad)
    const ct = Buffer.concat([c.update(plaintext), c.final()])
    return [ct, c.getAuthTag()]
  }),
)
const mk = macKey(km, sid)
const header = Buffer.alloc(82)
report('    HMAC over header (createHmac..digest)', () =>
  timeSync(() => createHmac('sha256', mk).update(header.subarray(0, 66)).digest()),
)
const sealed = sealed0(seal(sealInput))
report('    base64url header + payload', () => timeSync(() => [b64.encode(sealed.header), b64.encode(header)]))
report('  readHeader', () => timeSync(() => readHeader(sealed.header)))

// --- decode
const line = right(await engine.save(saved)()).setCookie[0] ?? ''
const value = line.slice(8, line.indexOf(';'))
const req: SessionRequest = { headers: { cookie: `session=${value}` } }
report('engine.open (whole)', () => timeAsync(async () => right(await engine.open(req)())))
report('  parseCookieHeader', () => timeSync(() => parseCookieHeader(req.headers.cookie)))
const headerText = value.slice(0, 110)
report('  b64.decode header (regex check + Buffer.from)', () => timeSync(() => b64.decode(headerText)))
const h = readHeader(b64.decode(headerText) as Buffer)
const keyring = { primary: km, fallbacks: [] }
report('  verifyMac (macKey + HMAC + timingSafeEqual)', () => timeSync(() => verifyMac(h, keyring, {})))
const payload = value.slice(110)
report('  unseal (b64 decode + keys + AES-GCM)', () => timeSync(() => unseal(h, payload, km)))
const pt = right(unseal(h, payload, km)).toString('utf8')
report('  decodeEntries (JSON.parse + checks)', () => timeSync(() => decodeEntries(pt, engine.options.schemas)))

// --- the synchronous work of save and open, without the TaskEither orchestration around it
report('sync core of save: encodeEntries + seal + readHeader + chunkLines', () =>
  timeSync(() => {
    const out = sealed0(seal({ ...sealInput, plaintext: right(encodeEntries(entries)) }))
    readHeader(out.header)
    return chunkLines('session', out.headerText, out.payload, engine.options.cookie.attributes)
  }),
)
report('sync core of open: parse + b64 + readHeader + verifyMac + unseal + decodeEntries', () =>
  timeSync(() => {
    const v = parseCookieHeader(req.headers.cookie).get('session') ?? ''
    const hh = readHeader(b64.decode(v.slice(0, 110)) as Buffer)
    verifyMac(hh, keyring, {})
    return decodeEntries(right(unseal(hh, v.slice(110), km)).toString('utf8'), engine.options.schemas)
  }),
)

// --- plumbing
const one = () => TE.right<never, number>(1)
const inc = (x: number) => x + 1
report('TE: 1-step pipe of trivial TE.flatMap', () => timeAsync(() => pipe(one(), TE.flatMap(one))()))
report('TE: 6-step pipe of trivial TE.map', () =>
  timeAsync(() => pipe(one(), TE.map(inc), TE.map(inc), TE.map(inc), TE.map(inc), TE.map(inc), TE.map(inc))()),
)
report('TE: 6-step pipe of trivial TE.flatMap', () =>
  timeAsync(() => pipe(one(), TE.flatMap(one), TE.flatMap(one), TE.flatMap(one), TE.flatMap(one), TE.flatMap(one))()),
)
report('Promise: 6 awaited trivial steps', () =>
  timeAsync(async () => {
    let x = 0
    for (let i = 0; i < 6; i++) x += await Promise.resolve(1)
    return x
  }),
)
report('dual() call cost: TE.flatMap(f) (build only)', () => timeSync(() => TE.flatMap(one)))

// --- minimal equivalents
// The HKDF extract (RFC 5869 §2.2, empty salt), done once here so the floor runs only the expand.
const prk = createHmac('sha256', Buffer.alloc(32)).update(km.ikm).digest()
const info = Buffer.alloc(43)
info.write('encryption:')
const ONE = Buffer.of(1)
const TWO = Buffer.of(2)
report('min: enc key+iv (2 HMAC, scratch info, no concat)', () =>
  timeSync(() => {
    sid.copy(info, 11)
    const t1 = createHmac('sha256', prk).update(info).update(ONE).digest()
    return [t1, createHmac('sha256', prk).update(t1).update(info).update(TWO).digest().subarray(0, 12)]
  }),
)
report('min: AES-GCM encrypt (no concat)', () =>
  timeSync(() => {
    const c = createCipheriv('aes-256-gcm', key, iv)
    c.setAAD(aad)
    const ct = c.update(plaintext)
    c.final()
    return [ct, c.getAuthTag()]
  }),
)
const ct = Buffer.from(payload, 'base64url')
const hk = encryptionKey(km, h.sid)
report('min: AES-GCM decrypt', () =>
  timeSync(() => {
    const d = createDecipheriv('aes-256-gcm', hk.key, hk.iv)
    d.setAAD(h.bytes.subarray(0, 47))
    d.setAuthTag(h.tag)
    const out = d.update(ct)
    d.final()
    return out
  }),
)
const t32 = Buffer.alloc(32)
report('min: Buffer.concat of two small buffers', () => timeSync(() => Buffer.concat([t32, h.mac])))
report('min: timingSafeEqual 16 B', () => timeSync(() => timingSafeEqual(h.mac, h.mac)))
report('min: JSON.stringify entries', () => timeSync(() => JSON.stringify([[DATA, 'default']])))
report('min: JSON.parse plaintext', () => timeSync(() => JSON.parse(pt.toString())))

const best = new Map<string, number>()
for (let round = 0; round < ROUNDS; round++) {
  for (const [step, time] of steps) best.set(step, Math.min(best.get(step) ?? Number.POSITIVE_INFINITY, await time()))
}
console.table([...best].map(([step, ns]) => ({ step, µs: (ns / 1000).toFixed(2) })))
