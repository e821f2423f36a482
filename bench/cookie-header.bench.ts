// What a hostile Cookie header costs against a benign one of the same size, on the path every
// request behind the middleware takes (`keepAliveSync`: the session cookie looked up, its header
// peeked) and on the full parse (`parseCookieHeader`, what opening a session does).
// The crafted headers are shaped against a search that restarts at every cookie: the session
// name only at the very end, or thousands of parts without `=`. Each must cost within 2× of the
// benign header. Run with: node --import tsx --expose-gc cookie-header.bench.ts [KiB]
import { createSessionEngine, type SessionRequest } from '@tessera/core'
import { parseCookieHeader, syncSeamOf } from '@tessera/core/internal'
import { measureInterleaved, us } from './lib/measure.js'

const KIB = Number(process.argv[2] ?? 16)
const SIZE = KIB * 1024
const SECRET = 'bench-secret-9f4c1a7e2b6d8053c4e1f7a9b2d6e8c0'

const engine = createSessionEngine({ secret: SECRET })
const started = syncSeamOf(engine).start({ headers: {} })
if (started === undefined || started._tag === 'Left') throw new Error('no session')
started.right.set('user', 'alice')
const saved = syncSeamOf(engine).save(started.right)
if (saved === undefined || saved._tag === 'Left') throw new Error('not saved')
const session = (saved.right.setCookie[0] ?? '').split(';')[0] ?? ''

/** `unit` repeated up to SIZE bytes, then the session cookie. */
const fill = (unit: (i: number) => string): string => {
  let text = ''
  for (let i = 0; text.length < SIZE - session.length; i++) text += unit(i)
  return text + session
}
const headers = {
  // Analytics and preference cookies of ordinary lengths.
  benign: fill((i) => `pref_${i}=${'v'.repeat(24 + (i % 40))}; `),
  // Tiny cookies, the session name only at the end: a search from each cookie reads to the end.
  'name at the end': fill(() => 'a=1; '),
  // Parts without `=`: a search for `=` from each part reads to the end.
  'no "=" anywhere': fill(() => 'a; '),
  // Every name starts like the session's.
  'names like the session': fill((i) => `session${i}=1; `),
}

const requests = Object.entries(headers).map(([name, cookie]) => [name, { headers: { cookie } }] as const)
const cases = requests.flatMap(([name, req]: readonly [string, SessionRequest]) => [
  [`keepAliveSync · ${name}`, () => syncSeamOf(engine).keepAlive(req), 200] as const,
  [`parseCookieHeader · ${name}`, () => parseCookieHeader(req.headers.cookie), 200] as const,
])

const results = await measureInterleaved(cases)
const count = (cookie: string) => {
  const parsed = parseCookieHeader(cookie)
  return [...parsed.keys()].reduce((n, name) => n + parsed.all(name).length, 0)
}
console.log(`Cookie header of ${KIB} KiB, µs per call (p50 · p99), ratio to the benign header at p50`)
let worst = 0
for (const op of ['keepAliveSync', 'parseCookieHeader']) {
  const base = results.get(`${op} · benign`)?.p50 ?? Number.NaN
  for (const [name, cookie] of Object.entries(headers)) {
    const r = results.get(`${op} · ${name}`)
    if (r === undefined) continue
    const ratio = r.p50 / base
    // The target: the shapes built against a restarting search, on the path of every request.
    // The other rows show what each cookie costs when the whole header is parsed (linear in cookies).
    if (op === 'keepAliveSync' && (name === 'name at the end' || name === 'no "=" anywhere'))
      worst = Math.max(worst, ratio)
    console.log(
      `  ${op.padEnd(18)} ${name.padEnd(24)} ${us(r.p50).padStart(8)} · ${us(r.p99).padStart(8)}  ${ratio.toFixed(2)}×  (${count(cookie)} values kept)`,
    )
  }
}
console.log(`keepAliveSync, worst ratio of the crafted headers: ${worst.toFixed(2)}× (target ≤ 2×)`)
