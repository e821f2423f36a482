// HTTP throughput of sessions, side by side in one run: Express 5 and Koa 3,
// bare and with Tessera (cookie storage and memory store), the floor (a minimal
// lua-resty-session 4.x cookie codec on node:crypto, lib/floor.ts, as inline
// middleware), express-session (MemoryStore), iron-session (getIronSession) and
// koa-session. Each server runs in its own process pinned to its own core
// (taskset -c 1; the load generator, autocannon in this process, on core 0).
// Rounds are interleaved: every case runs once per round, in a rotated order (a
// baseline's case beside its twin, see roundOrder).
//
// Routes (lib/http/common.ts): /count reads, increments and saves a counter in
// the session; /read reads it; /plain never touches the session.
// Every connection logs in first (its own session) and then sends its cookie
// with every request, following each Set-Cookie like a browser: Tessera and the
// floor issue a new session id on every save, iron-session re-seals, koa-session
// re-signs. A run is then checked: each connection's session must hold exactly
// as many increments as it got responses (one more at most for server-side
// stores, whose last in-flight save may land after the run stopped).
//
// Env: BENCH_QUICK=1 (3 rounds x 0.5 s), BENCH_ROUNDS, BENCH_DURATION (seconds per
// case per round), BENCH_WARMUP (seconds), BENCH_CONNECTIONS, BENCH_ONLY
// (comma-separated substrings of case ids), BENCH_PROFILE (comma-separated server
// kinds to CPU-profile during their measured windows; their numbers are then
// slowed by the profiler), BENCH_BASELINE (the root of another checkout of this
// repository, built and installed, e.g. a git worktree of an earlier commit: its
// Tessera servers run beside this build's in the same interleaved rounds, and a
// table compares every Tessera case and ratio, this build against it).
// Run with: node --import tsx --expose-gc http.bench.ts
import { spawnSync } from 'node:child_process'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Redis } from 'ioredis'
import { REDIS_URL, type Route, redisPrefix, SERVERS, type ServerKind } from './lib/http/common.js'
import { get, type Jar, load } from './lib/http/load.js'
import { type HotSpot, hotSpots } from './lib/http/profile.js'
import { place, type ServerHandle, startServer } from './lib/http/servers.js'
import { median } from './lib/stats.js'

// ---------------------------------------------------------------------------
// Settings

const env = process.env
const QUICK = env.BENCH_QUICK === '1'
const positive = (name: string, fallback: number): number => {
  const v = Number(env[name])
  return env[name] !== undefined && Number.isFinite(v) && v > 0 ? v : fallback
}
const ROUNDS = Math.round(positive('BENCH_ROUNDS', QUICK ? 3 : 12))
const SECONDS = positive('BENCH_DURATION', QUICK ? 0.5 : 1.25)
const WARMUP = positive('BENCH_WARMUP', QUICK ? 0.5 : 1)
const CONNECTIONS = Math.round(positive('BENCH_CONNECTIONS', 10))
const ONLY = (env.BENCH_ONLY ?? '').split(',').filter((s) => s !== '')
const PROFILE = new Set((env.BENCH_PROFILE ?? '').split(',').filter((s) => s !== ''))
const PROFILE_DIR = join(tmpdir(), `tessera-http-profiles-${process.pid}`)
const BASE =
  env.BENCH_BASELINE === undefined || env.BENCH_BASELINE === ''
    ? undefined
    : resolve(env.INIT_CWD ?? process.cwd(), env.BENCH_BASELINE) // relative to where npm was run
/** The suffix of a baseline case's id and server key. */
const AT_BASE = '@base'

// ---------------------------------------------------------------------------
// Cases

type Framework = 'Express' | 'Koa'
type Group = 'count' | 'read' | 'untouched'

interface Case {
  readonly id: string
  readonly framework: Framework
  readonly group: Group
  readonly label: string
  /** The server's key: its kind, with AT_BASE for the baseline checkout's. */
  readonly server: string
  readonly route: Route
  /** Where each connection logs in (the bare untouched case sends Tessera's cookie, so its requests match). */
  readonly login: string
  /** What /read must answer afterwards: the increments (count), or 0. */
  readonly expect: 'increments' | 'zero'
}

const c = (
  id: string,
  framework: Framework,
  group: Group,
  label: string,
  server: ServerKind,
  login: ServerKind = server,
): Case => ({
  id,
  framework,
  group,
  label,
  server,
  route: group === 'count' ? '/count' : group === 'read' ? '/read' : '/plain',
  login,
  expect: group === 'count' ? 'increments' : 'zero',
})

const ALL_CASES: readonly Case[] = [
  c('express-bare', 'Express', 'count', 'bare Express (counter in a plain cookie, no crypto)', 'express-bare'),
  c('express-tessera', 'Express', 'count', 'Express + Tessera (cookie)', 'express-tessera-cookie'),
  c('express-tessera-memory', 'Express', 'count', 'Express + Tessera (memory store)', 'express-tessera-memory'),
  c('express-floor', 'Express', 'count', 'Express + floor (inline node:crypto)', 'express-floor'),
  c('express-session', 'Express', 'count', 'express-session 1.19.0 (MemoryStore)', 'express-session'),
  c('express-iron', 'Express', 'count', 'iron-session 8.0.4 (getIronSession)', 'express-iron'),
  c(
    'express-tessera-redis',
    'Express',
    'count',
    'Express + Tessera (Redis store, subject indexed)',
    'express-tessera-redis',
  ),
  c('express-session-redis', 'Express', 'count', 'express-session + connect-redis 7.1.1', 'express-session-redis'),
  c('express-bare-read', 'Express', 'read', 'bare Express (plain cookie)', 'express-bare'),
  c('express-tessera-read', 'Express', 'read', 'Express + Tessera (cookie)', 'express-tessera-cookie'),
  c('express-floor-read', 'Express', 'read', 'Express + floor', 'express-floor'),
  c(
    'express-bare-untouched',
    'Express',
    'untouched',
    'bare Express, no middleware',
    'express-bare',
    'express-tessera-cookie',
  ),
  c('express-tessera-untouched', 'Express', 'untouched', 'Express + Tessera (cookie)', 'express-tessera-cookie'),
  c('koa-bare', 'Koa', 'count', 'bare Koa (counter in a plain cookie, no crypto)', 'koa-bare'),
  c('koa-tessera', 'Koa', 'count', 'Koa + Tessera (cookie)', 'koa-tessera-cookie'),
  c('koa-tessera-memory', 'Koa', 'count', 'Koa + Tessera (memory store)', 'koa-tessera-memory'),
  c('koa-floor', 'Koa', 'count', 'Koa + floor (inline node:crypto)', 'koa-floor'),
  c('koa-session', 'Koa', 'count', 'koa-session 7.0.2 (signed cookie)', 'koa-session'),
  c('koa-bare-read', 'Koa', 'read', 'bare Koa (plain cookie)', 'koa-bare'),
  c('koa-tessera-read', 'Koa', 'read', 'Koa + Tessera (cookie)', 'koa-tessera-cookie'),
  c('koa-bare-untouched', 'Koa', 'untouched', 'bare Koa, no middleware', 'koa-bare', 'koa-tessera-cookie'),
  c('koa-tessera-untouched', 'Koa', 'untouched', 'Koa + Tessera (cookie)', 'koa-tessera-cookie'),
]

/** The baseline's copy of a Tessera case: the same server kind, run from the other checkout. */
const atBase = (k: Case): Case => ({
  ...k,
  id: k.id + AT_BASE,
  label: `${k.label} [baseline]`,
  server: k.server + AT_BASE,
  login: k.login + AT_BASE,
})
const isTessera = (k: Case): boolean => k.server.includes('tessera')
const CASES = [...ALL_CASES, ...(BASE === undefined ? [] : ALL_CASES.filter(isTessera).map(atBase))].filter(
  (k) => ONLY.length === 0 || ONLY.some((s) => k.id.includes(s)),
)
/** The server kind a key names. */
const kindOf = (key: string): ServerKind => key.replace(AT_BASE, '') as ServerKind
const BASELINE: Record<Framework, Record<Group, string>> = {
  Express: { count: 'express-bare', read: 'express-bare-read', untouched: 'express-bare-untouched' },
  Koa: { count: 'koa-bare', read: 'koa-bare-read', untouched: 'koa-bare-untouched' },
}

/** Paired ratios (median over rounds of a/b in the same round); `goal` marks a target. */
interface Ratio {
  readonly a: string
  readonly b: string
  readonly what: string
  readonly goal?: number
  readonly before?: number
}
const RATIOS: readonly Ratio[] = [
  { a: 'express-tessera', b: 'express-floor', what: 'Tessera (cookie) / floor, Express', goal: 0.95 },
  { a: 'koa-tessera', b: 'koa-floor', what: 'Tessera (cookie) / floor, Koa', goal: 0.95 },
  { a: 'express-tessera', b: 'express-session', what: 'Tessera (cookie) / express-session', goal: 1.15 },
  { a: 'express-tessera', b: 'express-iron', what: 'Tessera (cookie) / iron-session', goal: 3.5 },
  { a: 'koa-tessera', b: 'koa-session', what: 'Tessera (cookie) / koa-session', goal: 1.0 },
  {
    a: 'express-tessera-redis',
    b: 'express-session-redis',
    what: 'Tessera (Redis store) / express-session + connect-redis',
    goal: 1.3,
  },
  { a: 'express-tessera-read', b: 'express-bare-read', what: 'read-only route / bare Express', goal: 0.8 },
  { a: 'express-tessera-untouched', b: 'express-bare-untouched', what: 'untouched route / bare Express', goal: 0.97 },
  { a: 'koa-tessera-untouched', b: 'koa-bare-untouched', what: 'untouched route / bare Koa', goal: 0.97 },
  { a: 'express-floor', b: 'express-bare', what: 'floor / bare Express', before: 0.6 },
  { a: 'express-session', b: 'express-bare', what: 'express-session / bare Express', before: 0.5 },
  { a: 'express-iron', b: 'express-bare', what: 'iron-session / bare Express', before: 0.17 },
  { a: 'koa-floor', b: 'koa-bare', what: 'floor / bare Koa', before: 0.23 },
  { a: 'koa-session', b: 'koa-bare', what: 'koa-session / bare Koa', before: 0.2 },
  { a: 'express-tessera', b: 'express-bare', what: 'Tessera (cookie) / bare Express' },
  { a: 'koa-tessera', b: 'koa-bare', what: 'Tessera (cookie) / bare Koa' },
  { a: 'express-tessera-memory', b: 'express-floor', what: 'Tessera (memory store) / floor, Express' },
  { a: 'koa-tessera-memory', b: 'koa-floor', what: 'Tessera (memory store) / floor, Koa' },
  { a: 'express-tessera-read', b: 'express-floor-read', what: 'read-only route, Tessera / floor, Express' },
  { a: 'koa-tessera-read', b: 'koa-bare-read', what: 'read-only route / bare Koa' },
]

// ---------------------------------------------------------------------------
// One run of one case

interface Sample {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly cpuPerReq: number
  /** Server CPU / wall time in the window: near 1 when the server, not the load generator, is the limit. */
  readonly busy: number
  readonly fresh: number
  readonly failed: number
  /** Connections whose session did not hold what their responses say it should. */
  readonly broken: number
}

const quantile = (sorted: Float64Array, q: number): number => sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN

const servers = new Map<string, ServerHandle>()
const serverOf = (key: string): ServerHandle => {
  const s = servers.get(key)
  if (s === undefined) throw new Error(`server ${key} not started`)
  return s
}

const login = async (k: Case): Promise<Jar[]> => {
  const jars: Jar[] = []
  for (let i = 0; i < CONNECTIONS; i++) {
    const jar: Jar = new Map()
    const r = await get(serverOf(k.login).port, '/login', jar)
    if (r.status !== 200 || jar.size === 0) throw new Error(`${k.id}: login answered ${r.status} without a cookie`)
    jars.push(jar)
  }
  return jars
}

/** After a run: /read with each connection's final cookie, against what its responses imply. */
const check = async (k: Case, jars: readonly Jar[], responses: readonly number[]): Promise<number> => {
  const kind = kindOf(k.server)
  const serverSide = kind.endsWith('-memory') || kind.endsWith('-redis') || kind === 'express-session'
  let broken = 0
  for (let i = 0; i < jars.length; i++) {
    const r = await get(serverOf(k.login).port, '/read', new Map(jars[i]))
    const n = Number(r.body)
    const got = responses[i] ?? 0
    const ok =
      r.status === 200 &&
      (k.expect === 'zero' ? n === 0 : n === got || (serverSide && n === got + 1 && Number.isInteger(n)))
    if (!ok) broken++
  }
  return broken
}

let profiled = 0
const runCase = async (k: Case, seconds: number, round: number): Promise<Sample> => {
  const jars = await login(k)
  const server = serverOf(k.server)
  const profile =
    PROFILE.has(kindOf(k.server)) && round >= 0 ? join(PROFILE_DIR, `${k.id}.${round}.cpuprofile`) : undefined
  if (profile !== undefined) profiled++
  await server.begin(profile)
  const r = await load({ port: server.port, path: k.route, jars, seconds })
  const s = await server.end()
  const broken = await check(k, r.jars, r.responses)
  const sorted = r.latencies.sort()
  return {
    rps: r.rps,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    cpuPerReq: s.cpuUs / Math.max(1, s.served),
    busy: s.cpuUs / s.wallUs,
    fresh: s.fresh,
    failed: r.failed,
    broken,
  }
}

// ---------------------------------------------------------------------------
// Start-up: servers, and the floor and Tessera reading each other's cookies over HTTP

const compatibility = async (): Promise<string> => {
  const pairs: [ServerKind, ServerKind][] = [
    ['express-floor', 'express-tessera-cookie'],
    ['express-tessera-cookie', 'express-floor'],
    ['koa-floor', 'koa-tessera-cookie'],
    ['koa-tessera-cookie', 'koa-floor'],
    ['express-tessera-cookie', 'koa-tessera-cookie'],
  ]
  for (const [from, to] of pairs) {
    if (!servers.has(from) || !servers.has(to)) continue
    const jar: Jar = new Map()
    await get(serverOf(from).port, '/login', jar)
    const counted = await get(serverOf(to).port, '/count', jar)
    const read = await get(serverOf(from).port, '/read', jar)
    if (counted.body !== '0' || read.body !== '1')
      throw new Error(`${from} -> ${to} -> ${from}: counted ${counted.body}, read back ${read.body}`)
  }
  return 'floor <-> Tessera: each opens, increments and re-issues the other one’s cookie (Express and Koa)'
}

/** The commit measured, and whether packages/ differed from it. */
const revision = (checkout?: string): string => {
  const at = checkout === undefined ? [] : ['-C', join(checkout, 'bench')]
  const git = (...args: string[]) => spawnSync('git', [...at, ...args], { encoding: 'utf8' }).stdout?.trim() ?? ''
  const head = git('rev-parse', '--short', 'HEAD')
  if (head === '') return 'not a git checkout'
  return `commit ${head}${git('status', '--porcelain', '--', '../packages') === '' ? '' : ' with uncommitted changes in packages/'}`
}

const fmt = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '-')
const ms = (x: number): string => fmt(x, x < 10 ? 2 : 1)

/** Deletes what the Redis-backed servers wrote (records, companions `{…}`, indexes, connect-redis's keys). */
const dropRedisKeys = async (kinds: readonly ServerKind[]): Promise<void> => {
  const redis = new Redis(REDIS_URL)
  try {
    for (const kind of kinds.filter((k) => k.endsWith('-redis')))
      for (const match of [`${redisPrefix(kind)}*`, `{${redisPrefix(kind)}*`])
        for await (const keys of redis.scanStream({ match, count: 1000 }))
          if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]))
  } finally {
    redis.disconnect()
  }
}

/**
 * The cases of one round, rotated by the round. A baseline case runs right
 * beside its twin from this build, before it in odd rounds and after it in even
 * ones, so that each follows the same cases equally often. On a shared machine
 * this does not make one run precise: a build compared with itself still came
 * out up to ±12% apart on some ratios (docs/benchmarks.md).
 */
const roundOrder = (round: number): Case[] => {
  const paired = (k: Case) => k.id.endsWith(AT_BASE) && CASES.some((x) => x.id + AT_BASE === k.id)
  const own = CASES.filter((k) => !paired(k))
  const start = (round * 7) % own.length
  const rotated = [...own.slice(start), ...own.slice(0, start)]
  return rotated.flatMap((k) => {
    const twin = CASES.find((x) => x.id === k.id + AT_BASE)
    if (twin === undefined) return [k]
    return round % 2 === 1 ? [twin, k] : [k, twin]
  })
}

const main = async (): Promise<void> => {
  if (CASES.length === 0) throw new Error(`BENCH_ONLY=${env.BENCH_ONLY} matches no case`)
  const placement = place()
  // The servers inherit it: their Redis keys carry this run's prefix.
  env.BENCH_RUN = String(process.pid)
  const kinds = SERVERS.filter((kind) => CASES.some((k) => k.server === kind || k.login === kind))
  for (const kind of kinds)
    servers.set(kind, await startServer(kind, placement, PROFILE.has(kind) ? PROFILE_DIR : undefined))
  const baseKinds = SERVERS.filter((kind) => CASES.some((k) => k.server === kind + AT_BASE))
  for (const kind of baseKinds)
    servers.set(kind + AT_BASE, await startServer(kind, placement, PROFILE.has(kind) ? PROFILE_DIR : undefined, BASE))
  try {
    const compat = await compatibility()
    const total = CASES.length * (ROUNDS * (SECONDS + 0.35) + WARMUP + 0.35)
    console.log(
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}; ${revision()}; ${placement.note}\n` +
        `${CASES.length} cases x ${ROUNDS} interleaved rounds x ${SECONDS} s, ${CONNECTIONS} connections, ` +
        `pipelining 1, warm-up ${WARMUP} s per case; about ${Math.ceil(total / 60)} min\n` +
        'every connection logs in first, sends its cookie on every request and follows every Set-Cookie ' +
        `(Tessera and the floor rotate the session id on each save)\n${compat}`,
    )
    if (PROFILE.size > 0) console.log(`profiling ${[...PROFILE].join(', ')}: those numbers include profiler overhead`)
    if (BASE !== undefined) console.log(`baseline: ${revision(BASE)} (${BASE}), its Tessera servers in the same rounds`)

    for (const k of CASES) await runCase(k, WARMUP, -1)
    const samples = new Map<string, Sample[]>(CASES.map((k) => [k.id, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const k of roundOrder(round)) samples.get(k.id)?.push(await runCase(k, SECONDS, round))
      process.stderr.write(`round ${round + 1}/${ROUNDS}\r`)
    }
    process.stderr.write('\n')
    report(samples)
    if (PROFILE.size > 0) profiles(samples)
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()))
    await dropRedisKeys(kinds)
  }
}

// ---------------------------------------------------------------------------
// Output: markdown tables (paste into docs/benchmarks.md)

const report = (samples: Map<string, Sample[]>): void => {
  const of = (id: string, f: (s: Sample) => number): number => median((samples.get(id) ?? []).map(f))
  const paired = (a: string, b: string, f: (x: Sample, y: Sample) => number): number[] => {
    const [xs, ys] = [samples.get(a) ?? [], samples.get(b) ?? []]
    return xs.flatMap((x, i) => (ys[i] === undefined ? [] : [f(x, ys[i])]))
  }
  const rpsRatio = (a: string, b: string) => paired(a, b, (x, y) => x.rps / y.rps)
  const cpuRatio = (a: string, b: string) => paired(a, b, (x, y) => y.cpuPerReq / x.cpuPerReq)

  const groups: [Group, string][] = [
    ['count', 'read-increment-save (`/count`)'],
    ['read', 'read-only (`/read`)'],
    ['untouched', 'session never read (`/plain`, the session cookie sent)'],
  ]
  console.log(
    `\nMedians over ${ROUNDS} rounds. req/s and latency from autocannon's side; server CPU is the server process's ` +
      'user+system time per request (process.cpuUsage); × bare is the median of per-round req/s ratios against ' +
      'the bare server of the same framework on the same route.\n',
  )
  console.log('| framework | route | contender | req/s | p50 ms | p99 ms | server CPU µs/req | × bare |')
  console.log('|---|---|---|--:|--:|--:|--:|--:|')
  for (const framework of ['Express', 'Koa'] as const) {
    for (const [group, route] of groups) {
      for (const k of CASES.filter((x) => x.framework === framework && x.group === group)) {
        const base = BASELINE[framework][group]
        const ratio = k.id === base ? '1.00' : fmt(median(rpsRatio(k.id, base)), 2)
        console.log(
          `| ${framework} | ${route} | ${k.label} | ${fmt(
            of(k.id, (s) => s.rps),
            0,
          )} | ${ms(of(k.id, (s) => s.p50))} | ` +
            `${ms(of(k.id, (s) => s.p99))} | ${fmt(
              of(k.id, (s) => s.cpuPerReq),
              1,
            )} | ${ratio} |`,
        )
      }
    }
  }

  console.log('\n| ratio | req/s (median of rounds) | min–max over rounds | by server CPU/req | target | |')
  console.log('|---|--:|--:|--:|--:|---|')
  for (const r of RATIOS) {
    if (!samples.has(r.a) || !samples.has(r.b)) continue
    const xs = rpsRatio(r.a, r.b)
    const m = median(xs)
    const target =
      r.goal !== undefined ? `≥ ${r.goal.toFixed(2)}` : r.before !== undefined ? `(was ${r.before.toFixed(2)})` : ''
    const verdict = r.goal === undefined ? '' : m >= r.goal ? 'met' : '**missed**'
    console.log(
      `| ${r.what} | ${fmt(m, 2)} | ${fmt(Math.min(...xs), 2)}–${fmt(Math.max(...xs), 2)} | ` +
        `${fmt(median(cpuRatio(r.a, r.b)), 2)} | ${target} | ${verdict} |`,
    )
  }

  if (BASE !== undefined) baselineReport(rpsRatio)

  // Honesty checks: the sessions held, nothing failed, and the server (not the load generator) was the limit.
  const warnings: string[] = []
  for (const k of CASES) {
    const xs = samples.get(k.id) ?? []
    const sum = (f: (s: Sample) => number) => xs.reduce((a, s) => a + f(s), 0)
    if (sum((s) => s.failed) > 0) warnings.push(`${k.id}: ${sum((s) => s.failed)} failed requests`)
    if (sum((s) => s.fresh) > 0) warnings.push(`${k.id}: ${sum((s) => s.fresh)} requests found no session`)
    if (sum((s) => s.broken) > 0) warnings.push(`${k.id}: ${sum((s) => s.broken)} connections lost increments`)
    const busy = median(xs.map((s) => s.busy))
    if (busy < 0.9)
      warnings.push(`${k.id}: server busy ${(busy * 100).toFixed(0)}% of the window (load generator may be the limit)`)
  }
  console.log(
    warnings.length === 0
      ? '\nchecks: no failed requests; every request found its session; every connection’s session held exactly its increments; servers ≥ 90% busy'
      : `\nchecks:\n${warnings.map((w) => `  - ${w}`).join('\n')}`,
  )
}

/**
 * This build against the baseline checkout, from the same rounds: each Tessera
 * case's req/s as a paired ratio, and each ratio with a Tessera side computed
 * for both builds.
 */
const baselineReport = (rpsRatio: (a: string, b: string) => number[]): void => {
  console.log('\n| Tessera case | this build / baseline, req/s (median of rounds) | min–max over rounds |')
  console.log('|---|--:|--:|')
  for (const k of CASES.filter((x) => isTessera(x) && !x.id.endsWith(AT_BASE))) {
    const xs = rpsRatio(k.id, k.id + AT_BASE)
    if (xs.length === 0) continue
    console.log(
      `| ${k.label}, \`${k.route}\` | ${fmt(median(xs), 3)} | ${fmt(Math.min(...xs), 2)}–${fmt(Math.max(...xs), 2)} |`,
    )
  }
  console.log('\n| ratio | this build | baseline | change |')
  console.log('|---|--:|--:|--:|')
  for (const r of RATIOS) {
    const [a, b] = [r.a, r.b].map((id) => ALL_CASES.find((k) => k.id === id))
    if (a === undefined || b === undefined || !(isTessera(a) || isTessera(b))) continue
    const baseId = (k: Case) => (isTessera(k) ? k.id + AT_BASE : k.id)
    const now = median(rpsRatio(a.id, b.id))
    const then = median(rpsRatio(baseId(a), baseId(b)))
    if (!Number.isFinite(now) || !Number.isFinite(then)) continue
    const change = (now / then - 1) * 100
    console.log(`| ${r.what} | ${fmt(now, 3)} | ${fmt(then, 3)} | ${change >= 0 ? '+' : ''}${fmt(change, 1)}% |`)
  }
}

const profiles = (samples: Map<string, Sample[]>): void => {
  if (profiled === 0) return
  for (const k of CASES.filter((x) => PROFILE.has(kindOf(x.server)))) {
    const xs = samples.get(k.id) ?? []
    const files = xs.map((_, round) => join(PROFILE_DIR, `${k.id}.${round}.cpuprofile`))
    // Requests in the profiled windows: req/s x duration per round is close enough for µs/req.
    const requests = xs.reduce((a, s) => a + s.rps * SECONDS, 0)
    const b = hotSpots(files, requests, 20)
    console.log(`\n### ${k.id} ${k.route}: profiled CPU ${b.busyUs.toFixed(1)} µs/req (profiles in ${PROFILE_DIR})`)
    console.log(
      `by owner (self): ${b.owners
        .slice(0, 8)
        .map(([o, us]) => `${o} ${us.toFixed(1)}`)
        .join(', ')}`,
    )
    const table = (title: string, rows: readonly HotSpot[]) => {
      if (rows.length === 0) return
      console.log(`\n${title}\n\n| function | where | self µs/req | self % | total µs/req | total % |`)
      console.log('|---|---|--:|--:|--:|--:|')
      for (const r of rows)
        console.log(
          `| ${r.fn} | ${r.where} | ${r.selfUs.toFixed(2)} | ${r.selfPct.toFixed(1)} | ${r.totalUs.toFixed(1)} | ${r.totalPct.toFixed(1)} |`,
        )
    }
    table('top functions by self time:', b.rows)
    table('packages/* functions by total time (callees included):', b.ours)
  }
}

await main()
