/** The Koa 3 middleware: one driver per request, settled after `await next()` and before Koa responds. */
import {
  beginNeeded,
  bindingSetup,
  createHttpSession,
  type EngineDeps,
  type HttpSession,
  type HttpSessionDriver,
  type SessionData,
  type SessionEngine,
  type SessionOptions,
  untouchedPlan,
} from '@tessera/core'
import type { Context, DefaultState, Middleware, Next } from 'koa'
import { applyPlanHeaders, logoutBody, replaceResponse, toSessionRequest } from './request.js'

/** What the middleware adds to the context: `app.use(tessera<D>(…))` types `ctx.session` for later middleware. */
export interface SessionContext<D extends SessionData = SessionData> {
  session: HttpSession<D>
}

/** The middleware, plus a typed accessor and the engine. */
export type TesseraMiddleware<D extends SessionData = SessionData> = Middleware<DefaultState, SessionContext<D>> & {
  /** The session of `ctx`, typed with the middleware's data type (for apps that do not chain `use`). */
  of(ctx: Context): HttpSession<D>
  /** The engine, for `invalidateSubject` / `listSessions`. */
  readonly engine: SessionEngine<D>
}

/** The session the middleware put on `ctx`. */
export const sessionOf = <D extends SessionData = SessionData>(ctx: Context): HttpSession<D> => {
  const session = (ctx as Context & Partial<SessionContext<D>>).session
  if (session === undefined) throw new Error('@tessera/koa: the tessera() middleware has not run for this request')
  return session
}

/**
 * Creates the session middleware. The session is opened on the first awaited
 * call, saved when changed after the downstream middleware, and kept alive
 * without decryption when the request never reads it.
 * @example
 * const app = new Koa().use(tessera<{ user: string }>({ secret: process.env.SESSION_SECRET }))
 * app.use(async (ctx) => {
 *   ctx.body = (await ctx.session.get('user')) ?? 'anonymous'
 * })
 */
export const tessera = <D extends SessionData = SessionData>(
  options: SessionOptions | SessionEngine<D>,
  deps: EngineDeps = {},
): TesseraMiddleware<D> => {
  const { engine, spoofable, needs } = bindingSetup<D>(options, deps)

  const tesseraSession = async (ctx: Context & SessionContext<D>, next: Next): Promise<void> => {
    const request = toSessionRequest(ctx, needs)
    // The driver is made on first use: a request whose app never touches its session costs a
    // header check, not a driver, a Promise session and a settle.
    let driver: HttpSessionDriver<D> | undefined
    const use = (): HttpSessionDriver<D> => {
      driver ??= createHttpSession(engine, request, { clock: deps.clock })
      return driver
    }
    Object.defineProperty(ctx, 'session', { get: () => use().session, configurable: true, enumerable: true })
    if (beginNeeded(engine.options, request)) {
      const d = use()
      const early = await d.begin(() => logoutBody(ctx))
      if (early?.status !== undefined) return replaceResponse(ctx, { ...early, status: early.status })
      // Only the session may say who the client is to the middleware behind us.
      for (const name of spoofable) delete ctx.req.headers[name]
      Object.assign(ctx.req.headers, d.requestHeaders)
    }
    try {
      await next()
    } catch (e) {
      const plan = driver?.planFor(e)
      if (plan?.status === undefined) throw e
      return replaceResponse(ctx, { ...plan, status: plan.status })
    }
    if (driver === undefined) {
      const plan = await untouchedPlan(engine, request)
      if (plan.status !== undefined) return replaceResponse(ctx, { ...plan, status: plan.status })
      return applyPlanHeaders(ctx, plan)
    }
    const plan = await driver.finish()
    const failure = driver.failure
    const replacement = plan.status === undefined && failure?.status === ctx.status ? failure : plan
    if (replacement.status !== undefined) return replaceResponse(ctx, { ...replacement, status: replacement.status })
    applyPlanHeaders(ctx, plan)
  }

  return Object.assign(tesseraSession as Middleware<DefaultState, SessionContext<D>>, {
    of: (ctx: Context) => sessionOf<D>(ctx),
    engine,
  })
}
