// What the HTTP bench's load generator and its servers agree on.

export const SECRET = 'bench-secret-9f4c1a7e2b6d8053c4e1f7a9b2d6e8c0'
export const IRON_PASSWORD = 'iron-password-at-least-32-characters-long!'
/** The cookie name Tessera and the floor share, so one's cookie opens in the other. */
export const SESSION_COOKIE = 'session'
/** Where the Redis-backed servers keep their sessions, each under its own prefix (the bench deletes them after). */
export const REDIS_URL = process.env.TESSERA_REDIS_URL ?? 'redis://127.0.0.1:6379'
export const redisPrefix = (kind: string): string => `tessera-http-bench-${process.env.BENCH_RUN ?? 'x'}-${kind}`
/** The bare servers' counter: a plain cookie, no crypto. */
export const PLAIN_COOKIE = 'n'

/** The session every contender holds: the codec bench's ~200-byte session plus the counter. */
export interface Data extends Record<string, unknown> {
  user: string
  roles: string[]
  csrf: string
  prefs: { theme: string; lang: string; tz: string; pageSize: number; beta: boolean }
  count: number
}

export const LOGIN_DATA: Data = {
  user: 'alice@example.com',
  roles: ['admin', 'editor'],
  csrf: 'q7Zk2W9xN4bL1vT8mR3cY6pH0sJ5dF2a',
  prefs: { theme: 'dark', lang: 'en-GB', tz: 'Europe/Berlin', pageSize: 50, beta: true },
  count: 0,
}

/**
 * The server processes. Every one answers
 *   GET /login  creates the session (LOGIN_DATA, count 0)
 *   GET /count  reads the counter, increments it, saves the session
 *   GET /read   reads the counter, changes nothing
 *   GET /plain  never touches the session
 * The body of /count and /read is the counter read, or `fresh` when the
 * request carried no usable session (the server counts those too).
 */
export const SERVERS = [
  'express-bare',
  'express-tessera-cookie',
  'express-tessera-memory',
  'express-floor',
  'express-session',
  'express-tessera-redis',
  'express-session-redis',
  'express-iron',
  'koa-bare',
  'koa-tessera-cookie',
  'koa-tessera-memory',
  'koa-floor',
  'koa-session',
] as const
export type ServerKind = (typeof SERVERS)[number]
export const isServerKind = (s: string | undefined): s is ServerKind => SERVERS.some((k) => k === s)

export type Route = '/count' | '/read' | '/plain'

/**
 * Parent -> server. `begin` collects garbage and starts the counters; `end` reports them.
 * With `profile`, the window is also CPU-profiled and the profile written there at `end`.
 */
export type Command =
  | { readonly type: 'begin'; readonly profile?: string | undefined }
  | { readonly type: 'end' }
  | { readonly type: 'exit' }

/** Server -> parent. */
export type Report =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'begun' }
  | {
      readonly type: 'ended'
      /** Process CPU (user + system, all threads) over the window, µs. */
      readonly cpuUs: number
      readonly wallUs: number
      /** Requests the routes answered in the window. */
      readonly served: number
      /** Of those, the ones that found no usable session. */
      readonly fresh: number
    }

/** The value of cookie `name` in a Cookie request header (no decoding: every value here is base64url or digits). */
export const cookieValue = (header: string | undefined, name: string): string | undefined => {
  if (header === undefined) return undefined
  let at = 0
  while (at < header.length) {
    const end = header.indexOf(';', at)
    const stop = end === -1 ? header.length : end
    while (header.charCodeAt(at) === 32) at++
    const eq = header.indexOf('=', at)
    if (eq !== -1 && eq < stop && eq - at === name.length && header.startsWith(name, at))
      return header.slice(eq + 1, stop).trim()
    at = stop + 1
  }
  return undefined
}
