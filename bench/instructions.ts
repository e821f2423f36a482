// A fixed number of in-memory requests to one of the HTTP bench's listeners,
// for counting instructions rather than timing them (timings on a shared
// machine move by ±10–15% between identical builds; instruction counts, the
// compiler's share apart, by about 1%). Ten sessions log in, then `n` requests
// of `route` go out in turn with each session's latest cookie.
//
// The instructions of n requests are the difference between two runs, one with
// warm-up only and one with warm-up and n (so start-up, module loading and
// logging in cancel out), both under callgrind with --predictable (the
// compiler then runs on the main thread, and its share is reported apart):
//
//   valgrind --tool=callgrind --callgrind-out-file=a.out \
//     node --predictable --import tsx instructions.ts koa-tessera-cookie /count 2000 0
//   valgrind --tool=callgrind --callgrind-out-file=b.out \
//     node --predictable --import tsx instructions.ts koa-tessera-cookie /count 2000 3000
//
// Args: kind, route, warm-up requests, measured requests, and optionally the
// root of another built checkout whose listener to drive (as BENCH_BASELINE).
// Not part of `npm run bench` (its name does not end in .bench.ts).
import { resolve } from 'node:path'
import { isServerKind } from './lib/http/common.js'
import { call, listenerOf } from './lib/http/inproc.js'

const [kind, route, warm, n, root] = process.argv.slice(2)
const count = (s: string | undefined): boolean => s !== undefined && /^\d+$/.test(s)
if (!isServerKind(kind) || (route !== '/count' && route !== '/read' && route !== '/plain') || !count(warm) || !count(n))
  throw new Error('usage: instructions.ts <server kind> </count|/read|/plain> <warm-up> <n> [checkout]')
const listener = await listenerOf(root === undefined ? resolve(import.meta.dirname, '..') : resolve(root), kind)
const cookies: (string | undefined)[] = []
for (let i = 0; i < 10; i++) cookies.push((await call(listener, '/login', undefined)).setCookie)
const total = Number(warm) + Number(n)
for (let i = 0; i < total; i++) {
  const answer = await call(listener, route, cookies[i % 10])
  if (answer.status !== 200) throw new Error(`${kind} ${route}: status ${answer.status}`)
  cookies[i % 10] = answer.setCookie ?? cookies[i % 10]
}
console.log(`${kind} ${route}: ${warm} + ${n} requests`)
process.exit(0)
