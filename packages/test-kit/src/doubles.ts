/**
 * Test doubles for the engine's ports and for the browser, for apps that
 * unit-test their own code against Tessera in isolation.
 *
 * The port types are written out here rather than imported from
 * `@tessera/core`, so that core's own tests can use these doubles without a
 * package cycle; the shapes are the ports' (type-checked where core's tests
 * hand them to the engine).
 */

import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'

/** `@tessera/core`'s `Clock` port: epoch milliseconds. */
export interface Clock {
  readonly now: () => number
}

/** `@tessera/core`'s `RandomSource` port. */
export interface RandomSource {
  readonly bytes: (n: number) => Uint8Array
}

/** `@tessera/core`'s `SessionRequest`: what the engine reads of a request. */
export interface SessionRequest {
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  readonly remoteAddress?: string | undefined
  readonly scheme?: 'http' | 'https' | undefined
}

/** A clock moved by hand, in epoch seconds (the port speaks milliseconds). */
export interface FakeClock extends Clock {
  set(seconds: number): void
  advance(seconds: number): void
  seconds(): number
}

/** A clock that stands still at `seconds` until the test moves it. */
export const fakeClock = (seconds: number): FakeClock => {
  let ms = seconds * 1000
  return {
    now: () => ms,
    set: (s) => {
      ms = s * 1000
    },
    advance: (s) => {
      ms += s * 1000
    },
    seconds: () => Math.floor(ms / 1000),
  }
}

/** Random bytes that hand out the given session ids (base64url) first, then real random ones. */
export const scriptedRandom = (...sids: string[]): RandomSource => {
  const queue = sids.map((s) => Buffer.from(s, 'base64url'))
  return {
    bytes: (n) => {
      const next = queue.shift()
      return next !== undefined && next.length === n ? next : randomBytes(n)
    },
  }
}

/** A request whose Cookie header carries the given `name=value` pairs (attributes after `;` are dropped). */
export const requestWith = (cookies: readonly string[] = [], extra: Partial<SessionRequest> = {}): SessionRequest => ({
  method: 'GET',
  url: '/',
  ...extra,
  headers: { ...(extra.headers ?? {}), cookie: cookies.map((c) => c.split(';')[0]).join('; ') },
})

/** Cookies as a browser keeps them: a Set-Cookie line replaces its name; an expired one drops it. */
export const cookieJar = () => {
  const cookies = new Map<string, string>()
  return {
    apply(lines: readonly string[]): void {
      for (const line of lines) {
        const pair = line.split(';')[0] ?? ''
        const name = pair.slice(0, pair.indexOf('='))
        if (/;\s*Max-Age=0(;|$)/i.test(line)) cookies.delete(name)
        else cookies.set(name, pair)
      }
    },
    /** The `name=value` pairs held, for `requestWith`. */
    get lines(): string[] {
      return [...cookies.values()]
    },
    value(name: string): string | undefined {
      return cookies.get(name)?.slice(name.length + 1)
    },
    delete(name: string): void {
      cookies.delete(name)
    },
  }
}

/** Runs a TaskEither and returns its Right; throws (failing the test) on a Left. */
export const runRight = async <A>(task: TE.TaskEither<unknown, A>): Promise<A> => {
  const r = await task()
  if (E.isLeft(r)) throw new Error(`expected Right, got Left ${JSON.stringify(r.left)}`)
  return r.right
}

/** Runs a TaskEither and returns its Left; throws (failing the test) on a Right. */
export const runLeft = async <L>(task: TE.TaskEither<L, unknown>): Promise<L> => {
  const r = await task()
  if (E.isRight(r)) throw new Error('expected Left, got Right')
  return r.left
}
