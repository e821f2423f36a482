/** Test helpers: fixed clocks, scripted random sources, requests and the shared vectors. */
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Clock, RandomSource, SessionRequest } from '../src/index.js'

export interface Vector {
  readonly name: string
  readonly config: Record<string, unknown>
  readonly cookie: string
  readonly now?: number
  readonly plaintext?: string
  readonly set_cookie?: string[]
  readonly header: {
    readonly sid_b64url?: string
    readonly creation_time: number
    readonly data_size: number
    readonly flags: number
  }
  readonly [key: string]: unknown
}

export const vectors: Vector[] = JSON.parse(
  readFileSync(new URL('./fixtures/lua-resty-session-4.json', import.meta.url), 'utf8'),
).vectors

export const vector = (name: string): Vector => {
  const v = vectors.find((x) => x.name.startsWith(name))
  if (v === undefined) throw new Error(`no vector ${name}`)
  return v
}

/** A clock the test moves by hand, in epoch seconds. */
export const fakeClock = (seconds: number) => {
  let now = seconds * 1000
  const clock: Clock & { set(s: number): void; advance(s: number): void } = {
    now: () => now,
    set: (s) => {
      now = s * 1000
    },
    advance: (s) => {
      now += s * 1000
    },
  }
  return clock
}

/** Random bytes that replay the given session ids first (base64url), then a counter. */
export const scriptedRandom = (...sids: string[]): RandomSource => {
  const queue = sids.map((s) => Buffer.from(s, 'base64url'))
  let counter = 0
  return {
    bytes: (n) => {
      const next = queue.shift()
      if (next !== undefined && next.length === n) return next
      const b = Buffer.alloc(n)
      b.writeUInt32BE(++counter, 0)
      b.writeUInt32BE(0x7e55e4a, 4)
      return b
    },
  }
}

/** A request carrying the given Set-Cookie lines (or raw cookie pairs) back as a Cookie header. */
export const request = (cookies: readonly string[] = [], extra: Partial<SessionRequest> = {}): SessionRequest => ({
  method: 'GET',
  url: '/',
  ...extra,
  headers: { ...(extra.headers ?? {}), cookie: cookies.map((c) => c.split(';')[0]).join('; ') },
})

/** Cookies as a browser keeps them: each Set-Cookie line replaces (or, when expired, drops) its name. */
export const jar = () => {
  const cookies = new Map<string, string>()
  return {
    apply(lines: readonly string[]) {
      for (const line of lines) {
        const pair = line.split(';')[0] ?? ''
        const name = pair.slice(0, pair.indexOf('='))
        if (/Max-Age=0/.test(line)) cookies.delete(name)
        else cookies.set(name, pair)
      }
    },
    get lines(): string[] {
      return [...cookies.values()]
    },
    value(name: string) {
      return cookies.get(name)?.slice(name.length + 1)
    },
    delete(name: string) {
      cookies.delete(name)
    },
  }
}

/** Runs a TaskEither and returns its Right, failing the test on a Left. */
export const right = async <A>(task: TE.TaskEither<unknown, A>): Promise<A> => {
  const r = await task()
  if (E.isLeft(r)) throw new Error(`expected Right, got Left ${JSON.stringify(r.left)}`)
  return r.right
}

/** Runs a TaskEither and returns its Left, failing the test on a Right. */
export const left = async <L>(task: TE.TaskEither<L, unknown>): Promise<L> => {
  const r = await task()
  if (E.isRight(r)) throw new Error('expected Left, got Right')
  return r.left
}

/** The reference's config keys in the vectors, as our options (the test secret is weak on purpose). */
export const optionsOf = (config: Record<string, unknown>) => {
  const camel = Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k !== 'storage')
      .map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
  )
  return { ...camel, allowWeakSecret: true }
}
