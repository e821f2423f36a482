/**
 * The session engine: composes options, codec, policy and ports into the
 * operations a request needs. Stateless between requests; every operation
 * returns a TaskEither, and the Set-Cookie lines accumulate on the session.
 */
import type * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { SessionError } from '../errors.js'
import { resolveOptions, withoutSecrets } from '../options/options.js'
import type { SessionOptions } from '../options/schema.js'
import { systemClock, systemRandom } from '../ports/system.js'
import { parseCookieHeader } from '../wire/cookies.js'
import type { SessionData } from '../wire/entries.js'
import { buildKeyring, type EngineContext, nowSeconds, safeEmit, storePorts } from './context.js'
import { sessionEnds } from './end.js'
import { keepAlives } from './keep-alive.js'
import { sessionWrites } from './lifecycle.js'
import { createRecentCookies } from './recent.js'
import { outcomeOf } from './responses.js'
import { attachSyncSeam } from './seam.js'
import { type Session, SessionImpl } from './session.js'
import { processSlowKeys } from './slow-keys.js'
import { sessionStarts } from './start.js'
import { subjectOps } from './subjects.js'
import type { EngineDeps, Outcome, SessionEngine } from './types.js'

type Result<A> = Promise<E.Either<SessionError, A>>

const asImpl = <D extends SessionData>(s: Session<D>): SessionImpl<D> => {
  if (!(s instanceof SessionImpl)) throw new TypeError('not a session of this engine')
  return s
}

const engines = new WeakSet<object>()

/** True for an engine made by `createSessionEngine` (as opposed to options). */
export const isSessionEngine = <D extends SessionData = SessionData>(x: unknown): x is SessionEngine<D> =>
  typeof x === 'object' && x !== null && engines.has(x)

/**
 * Creates a session engine. Throws ConfigError (listing every problem) on invalid options.
 * @example
 * const engine = createSessionEngine({ secret: process.env.SESSION_SECRET })
 * const session = await engine.start(req)()
 */
export const createSessionEngine = <D extends SessionData = SessionData>(
  options: SessionOptions,
  deps: EngineDeps = {},
): SessionEngine<D> => {
  const o = resolveOptions(options)
  const ctx: EngineContext = {
    o,
    keyring: buildKeyring(o),
    clock: deps.clock ?? systemClock,
    random: deps.random ?? systemRandom(),
    ...storePorts(o.storage, deps.store),
    emit: safeEmit(deps.onEvent),
    listening: deps.onEvent !== undefined,
    recent: createRecentCookies(o.recentCookies),
    spared: new Map(),
    slowKeys: processSlowKeys,
  }

  const outcome = (session: Session<D>): Outcome => outcomeOf(ctx, asImpl(session))

  const writes = sessionWrites<D>(ctx)
  const { touchImpl, saveImpl, saveSync, regenerateImpl, refreshImpl } = writes
  const starts = sessionStarts<D>(ctx, writes)
  const { open, start, startNow } = starts
  const { keepAlive, keepAliveSync } = keepAlives<D>(ctx, starts)
  const { destroyImpl, logoutImpl } = sessionEnds<D>(ctx, saveImpl)

  const { endSession, invalidateSubject, listSessions } = subjectOps(ctx)

  const lift =
    (impl: (s: SessionImpl<D>) => Result<Outcome> | E.Either<SessionError, Outcome>) =>
    (session: Session<D>): TE.TaskEither<SessionError, Outcome> =>
    async () =>
      impl(asImpl(session))

  const engine: SessionEngine<D> = {
    options: withoutSecrets(o),
    open,
    start,
    keepAlive,
    save: lift(saveImpl),
    regenerate: lift(regenerateImpl),
    touch: lift(touchImpl),
    refresh: lift(refreshImpl),
    logout: lift(logoutImpl),
    destroy: lift(destroyImpl),
    endSession,
    invalidateSubject,
    listSessions,
    outcome,
  }
  engines.add(engine)
  attachSyncSeam(engine, {
    nowSeconds: () => nowSeconds(ctx),
    start: (req) => startNow(req, parseCookieHeader(req.headers.cookie)),
    save: (session) => saveSync(asImpl(session)),
    keepAlive: keepAliveSync,
  })
  return engine
}
