// The HTTP bench's servers without sockets: each request is a real
// IncomingMessage / ServerResponse pair on an in-memory duplex, handed to the
// same listener (lib/http/apps.ts), so what is measured is the framework,
// Tessera and the cryptography, without the kernel's share of a request (most
// of it at the HTTP level) and without a load generator on the other core.
// With BENCH_BASELINE (the root of another built checkout, as for
// http.bench.ts) its listeners run in the same process, in batches that
// alternate with this build's, and the table compares the two.
//
// Each batch of this build is paired with the baseline's batch next to it, and
// the ratio column is the median of those paired ratios (with their range): a
// slow stretch of the machine then moves both sides of a pair, not one mean.
//
// Env: BENCH_BASELINE, BENCH_BATCH (requests per batch, 1000), BENCH_BATCHES
// (per case and build, 12), BENCH_ONLY (comma-separated substrings of
// `kind route`, e.g. `koa-tessera-cookie /count`).
// Run with: node --import tsx --expose-gc inproc.bench.ts
import { resolve } from 'node:path'
import type { Route, ServerKind } from './lib/http/common.js'
import { call, type Listener, listenerOf } from './lib/http/inproc.js'
import { median } from './lib/stats.js'

const env = process.env
const BATCH = Number(env.BENCH_BATCH ?? 1000)
const BATCHES = Number(env.BENCH_BATCHES ?? 12)
const BASE =
  env.BENCH_BASELINE === undefined || env.BENCH_BASELINE === ''
    ? undefined
    : resolve(env.INIT_CWD ?? process.cwd(), env.BENCH_BASELINE)

const ONLY = (env.BENCH_ONLY ?? '').split(',').filter((s) => s !== '')

const CASES = (
  [
    ['express-tessera-cookie', '/count'],
    ['express-tessera-cookie', '/read'],
    ['express-tessera-cookie', '/plain'],
    ['express-tessera-memory', '/count'],
    ['koa-tessera-cookie', '/count'],
    ['koa-tessera-cookie', '/read'],
    ['koa-tessera-cookie', '/plain'],
    ['koa-tessera-memory', '/count'],
    ['koa-floor', '/count'],
  ] as const satisfies readonly (readonly [ServerKind, Route])[]
).filter(([kind, route]) => ONLY.length === 0 || ONLY.some((o) => `${kind} ${route}`.includes(o)))

interface Contender {
  readonly label: string
  readonly listener: Listener
  cookie: string | undefined
  readonly us: number[]
}

const contender = async (label: string, root: string, kind: ServerKind): Promise<Contender> => {
  const listener = await listenerOf(root, kind)
  const login = await call(listener, '/login', undefined)
  if (login.setCookie === undefined) throw new Error(`${label} ${kind}: login set no cookie`)
  return { label, listener, cookie: login.setCookie, us: [] }
}

/** One batch of requests, each sending the cookie the last one set; µs per request. */
const batch = async (c: Contender, route: Route): Promise<number> => {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < BATCH; i++) {
    const r = await call(c.listener, route, c.cookie)
    if (r.status !== 200) throw new Error(`${c.label} ${route}: status ${r.status}`)
    c.cookie = r.setCookie ?? c.cookie
  }
  return Number(process.hrtime.bigint() - t0) / 1000 / BATCH
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

const main = async (): Promise<void> => {
  const here = resolve(import.meta.dirname, '..')
  console.log(
    `Node ${process.version}; ${BATCHES} batches of ${BATCH} requests per case${BASE === undefined ? '' : ' and build, alternating'}; mean µs per request (collection included)`,
  )
  console.log(
    BASE === undefined
      ? '\n| case | µs/req |\n|---|--:|'
      : '\n| case | this build | baseline | ratio (median of pairs) | range of pairs |\n|---|--:|--:|--:|--:|',
  )
  for (const [kind, route] of CASES) {
    const builds = [await contender('this build', here, kind)]
    if (BASE !== undefined) builds.push(await contender('baseline', BASE, kind))
    for (let w = 0; w < 3; w++) for (const c of builds) await batch(c, route)
    for (let i = 0; i < BATCHES; i++)
      for (const c of i % 2 === 0 ? builds : [...builds].reverse()) c.us.push(await batch(c, route))
    const [own, base] = builds.map((c) => mean(c.us))
    const name = `${kind} \`${route}\``
    const [us, baseUs] = builds.map((c) => c.us)
    if (base === undefined || us === undefined || baseUs === undefined) console.log(`| ${name} | ${own?.toFixed(1)} |`)
    else {
      const pairs = us.map((u, i) => u / (baseUs[i] as number))
      const range = `${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)}`
      console.log(`| ${name} | ${own?.toFixed(1)} | ${base.toFixed(1)} | ${median(pairs).toFixed(3)} | ${range} |`)
    }
  }
}

await main()
process.exit(0)
