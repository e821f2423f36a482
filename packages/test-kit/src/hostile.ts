/**
 * The property both storages are held to: whatever the request (hostile
 * Cookie headers, methods, addresses) and whatever the data an app puts in a
 * session, every engine call resolves to an Either; none throws or rejects.
 * Typed by shape, so that this package needs no Tessera package.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type { SessionRequest } from './doubles.js'

type Task = () => Promise<unknown>

/** What the property calls on a session. */
export interface HostileSession {
  set(key: string, value: unknown): void
  setSubject(subject: string): void
  setAudience(audience: string): void
  setRemember(remember: boolean): void
}

/** What the property calls on an engine (a `SessionEngine` fits). */
export interface HostileEngine<S extends HostileSession> {
  open(req: SessionRequest): Task
  start(req: SessionRequest): () => Promise<E.Either<unknown, S>>
  keepAlive(req: SessionRequest): Task
  save(s: S): Task
  touch(s: S): Task
  refresh(s: S): Task
  logout(s: S): Task
  destroy(s: S): Task
  outcome(s: S): unknown
}

/** The value of a `name=value; attributes` line. */
const cookieValueOf = (line: string): string => {
  const pair = line.split(';')[0] ?? ''
  return pair.slice(pair.indexOf('=') + 1)
}

const mustSettle = async (what: string, p: unknown): Promise<void> => {
  const r = await p
  if (!(E.isLeft(r as E.Either<unknown, unknown>) || E.isRight(r as E.Either<unknown, unknown>)))
    throw new Error(`${what} resolved to something other than an Either`)
}

/**
 * Runs the property. `known` are Cookie-header parts the engine issued or the
 * caller crafted (`session=…`), mixed into the hostile headers; `atOnce`
 * gives the synchronous answers to check as well (undefined entries skipped).
 */
export const everyCallSettles = async <S extends HostileSession>(
  engine: HostileEngine<S>,
  known: readonly string[],
  options: { readonly numRuns: number; readonly atOnce?: (req: SessionRequest) => readonly unknown[] },
): Promise<void> => {
  const cookieText = fc.oneof(
    fc.string(),
    fc.constantFrom(...known, `session=${'A'.repeat(5000)}`),
    fc
      .array(fc.constantFrom('session=', 'remember=', cookieValueOf(known[0] ?? ''), ';', ' ', '"', 'x', '=', '\u0000'))
      .map((p) => p.join('')),
  )
  const request: fc.Arbitrary<SessionRequest> = fc.record({
    method: fc.option(fc.constantFrom('GET', 'POST', 'DELETE', 'BREW', ''), { nil: undefined }),
    url: fc.option(fc.string(), { nil: undefined }),
    remoteAddress: fc.option(fc.string(), { nil: undefined }),
    scheme: fc.option(fc.constantFrom('http' as const, 'https' as const), { nil: undefined }),
    headers: fc.record({
      cookie: fc.option(fc.oneof(cookieText, fc.array(cookieText, { maxLength: 3 })), { nil: undefined }),
      'user-agent': fc.option(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 })), { nil: undefined }),
    }),
  })
  const value = fc.oneof(
    fc.anything(),
    fc.bigInt(),
    fc.constant(undefined),
    fc.constant({ toJSON: () => 1n }),
    fc.string().map((s) => ({ [s]: s })),
  )
  const text = fc.oneof(fc.string(), fc.constant('sub\r\nX-Injected: 1\u0000'), fc.string({ unit: 'grapheme' }))
  await fc.assert(
    fc.asyncProperty(
      request,
      fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 3 }),
      text,
      text,
      async (req, data, subject, audience) => {
        await mustSettle('open', engine.open(req)())
        await mustSettle('start', engine.start(req)())
        await mustSettle('keepAlive', engine.keepAlive(req)())
        for (const r of options.atOnce?.(req) ?? []) if (r !== undefined) await mustSettle('a synchronous call', r)
        const started = await engine.start(req)()
        if (E.isLeft(started)) return
        const s = started.right
        for (const [k, v] of Object.entries(data)) s.set(k, v)
        s.setSubject(subject)
        if (audience !== '') s.setAudience(audience)
        s.setRemember(data.remember !== undefined)
        await mustSettle('save', engine.save(s)())
        engine.outcome(s)
        for (const [what, op] of [
          ['touch', engine.touch],
          ['refresh', engine.refresh],
          ['logout', engine.logout],
          ['destroy', engine.destroy],
        ] as const)
          await mustSettle(what, op.call(engine, s)())
      },
    ),
    { numRuns: options.numRuns },
  )
}
