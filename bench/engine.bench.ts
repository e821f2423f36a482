// Server storage against cookie storage, through the engine: open + change + save of a
// ~200-byte session, cookie mode vs the memory store, beside express-session's MemoryStore
// get + set of the same data. Target: server mode within 1.3x of cookie mode.
// Run with: node --import tsx --expose-gc engine.bench.ts
import { createSessionEngine, type SessionEngine, type SessionRequest } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import session from 'express-session'
import * as E from 'fp-ts/lib/Either.js'
import { measureInterleaved, us } from './lib/measure.js'

const SECRET = 'bench-secret-9f4c1a7e2b6d8053c4e1f7a9b2d6e8c0'
const DATA = {
  user: 'alice@example.com',
  roles: ['admin', 'editor'],
  csrf: 'q7Zk2W9xN4bL1vT8mR3cY6pH0sJ5dF2a',
  prefs: { theme: 'dark', lang: 'en-GB', tz: 'Europe/Berlin', pageSize: 50, beta: true },
}

/** A browser of one: carries the cookie each save hands back, as a real client would. */
const client = async (engine: SessionEngine) => {
  let cookie = ''
  const request = (): SessionRequest => ({ headers: { cookie } })
  const keep = (lines: readonly string[]) => {
    cookie = lines.map((l) => l.slice(0, l.indexOf(';'))).join('; ')
  }
  const first = await engine.start(request())()
  if (E.isLeft(first)) throw new Error(first.left._tag)
  for (const [k, v] of Object.entries(DATA)) first.right.set(k, v)
  const saved = await engine.save(first.right)()
  if (E.isLeft(saved)) throw new Error(saved.left._tag)
  keep(saved.right.setCookie)
  let n = 0
  return async () => {
    const opened = await engine.open(request())()
    if (E.isLeft(opened)) throw new Error(`open: ${opened.left._tag}`)
    opened.right.set('n', ++n)
    const out = await engine.save(opened.right)()
    if (E.isLeft(out)) throw new Error(`save: ${out.left._tag}`)
    keep(out.right.setCookie)
  }
}

const cookieMode = await client(createSessionEngine({ secret: SECRET }))
const memory = createMemoryStore({ maxEntries: 50_000 })
const serverMode = await client(createSessionEngine({ secret: SECRET }, { store: memory }))

const expressStore = new session.MemoryStore()
const sid = 'bench-session-id'
const expressSession = {
  ...DATA,
  n: 0,
  cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000), httpOnly: true, path: '/' },
}
const expressGetSet = () =>
  new Promise<void>((resolve, reject) => {
    expressStore.get(sid, (err, found) => {
      if (err) return reject(err)
      const next = { ...(found ?? expressSession), n: ((found as { n?: number } | null)?.n ?? 0) + 1 }
      expressStore.set(sid, next as session.SessionData, (e) => (e ? reject(e) : resolve()))
    })
  })
await expressGetSet()

const results = await measureInterleaved([
  ['tessera cookie mode', cookieMode, 3000],
  ['tessera server mode (memory store)', serverMode, 3000],
  ['express-session MemoryStore get + set', expressGetSet, 3000],
])
memory.close()

const row = (name: string) => {
  const s = results.get(name)
  return { case: name, mean: us(s?.mean ?? Number.NaN), p50: us(s?.p50 ?? Number.NaN), p99: us(s?.p99 ?? Number.NaN) }
}
console.log('open + change + save of a ~200-byte session, µs per request')
console.table(results.size === 0 ? [] : [...results.keys()].map(row))
const ratio = (a: string, b: string) => {
  const [x, y] = [results.get(a), results.get(b)]
  return x && y ? `${(x.p50 / y.p50).toFixed(2)}x (mean ${(x.mean / y.mean).toFixed(2)}x)` : '-'
}
console.table([
  {
    ratio: 'server mode / cookie mode (target <= 1.3x)',
    p50: ratio('tessera server mode (memory store)', 'tessera cookie mode'),
  },
  {
    ratio: 'express-session get+set / tessera server mode',
    p50: ratio('express-session MemoryStore get + set', 'tessera server mode (memory store)'),
  },
])
