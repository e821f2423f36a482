/** The Koa 3 middleware: one driver per request, settled after `await next()` and before Koa responds. */
import {
  type BindingDeps,
  beginNeeded,
  bindingSetup,
  createHttpSession,
  type HttpSession,
  type SessionData,
  type SessionEngine,
  type SessionOptions,
} from '@tessera/http'
import type { Context, DefaultState, Middleware, Next } from 'koa'
import { applyPlanHeaders, logoutBody, replaceResponse, toSessionRequest } from './request.js'
import type { RegisteredData } from './typed.js'

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

const found = <D extends SessionData>(session: HttpSession<D> | undefined): HttpSession<D> => {
  if (session === undefined) throw new Error('@tessera/koa: the tessera() middleware has not run for this request')
  return session
}

/** The session the (last) middleware put on `ctx`. */
export const sessionOf = <D extends SessionData = SessionData>(ctx: Context): HttpSession<D> =>
  found((ctx as Context & Partial<SessionContext<D>>).session)

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
export const tessera = <D extends SessionData = RegisteredData>(
  options: SessionOptions | SessionEngine<D>,
  deps: BindingDeps = {},
): TesseraMiddleware<D> => {
  const { engine, spoofable, needs } = bindingSetup<D>(options, deps)
  /** This middleware's sessions: with two on one app, `ctx.session` is the last one's, and each `of` finds its own. */
  const mine = new WeakMap<Context, HttpSession<D>>()

  const tesseraSession = async (ctx: Context & SessionContext<D>, next: Next): Promise<void> => {
    const request = toSessionRequest(ctx, needs)
    // One small object per request; it opens nothing until the app calls the session, and a
    // request that never does costs a header check at the end.
    const driver = createHttpSession(engine, request, { failurePage: deps.failurePage })
    ctx.session = driver.session
    mine.set(ctx, driver.session)
    if (beginNeeded(engine.options, request)) {
      const early = await driver.begin(() => logoutBody(ctx))
      if (early?.status !== undefined) return replaceResponse(ctx, { ...early, status: early.status })
      // Only the session may say who the client is to the middleware behind us.
      for (const name of spoofable) delete ctx.req.headers[name]
      Object.assign(ctx.req.headers, driver.requestHeaders)
    }
    try {
      await next()
    } catch (e) {
      const plan = driver.planFor(e)
      if (plan?.status === undefined) throw e
      return replaceResponse(ctx, { ...plan, status: plan.status })
    }
    const plan = driver.finishSync() ?? (await driver.finish())
    const replacement = (plan.status === undefined ? driver.failureFor(ctx.status) : undefined) ?? plan
    if (replacement.status !== undefined) return replaceResponse(ctx, { ...replacement, status: replacement.status })
    applyPlanHeaders(ctx, plan)
  }

  return Object.assign(tesseraSession as Middleware<DefaultState, SessionContext<D>>, {
    of: (ctx: Context) => found(mine.get(ctx)),
    engine,
  })
}
