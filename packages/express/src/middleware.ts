/** The Express 5 middleware: one driver per request, the head held until the session is settled. */
import {
  applyPlanHeaders,
  type BindingDeps,
  bindingSetup,
  createHttpSession,
  deferHead,
  type HttpPlan,
  type HttpSession,
  type HttpSessionDriver,
  type SessionData,
  type SessionEngine,
  type SessionOptions,
} from '@tessera/http'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { logoutBody, toSessionRequest } from './request.js'
import type { RegisteredData } from './typed.js'

/** The middleware, plus a typed accessor for the session it put on a request. */
export interface TesseraMiddleware<D extends SessionData = SessionData> extends RequestHandler {
  /** The session of `req`, typed with the middleware's data type. */
  of(req: Request): HttpSession<D>
  /** The engine, for `invalidateSubject` / `listSessions`. */
  readonly engine: SessionEngine<D>
}

// Drivers are kept in WeakMaps, not on the request: Express gives every
// request its app's prototype, after which V8 pays ~2.5 µs per property added.
type Drivers = WeakMap<Request, HttpSessionDriver<never>>
/** The driver of the last middleware each request went through. */
const latest: Drivers = new WeakMap()

const driverIn = <D extends SessionData>(drivers: Drivers, req: Request): HttpSession<D> => {
  const driver = drivers.get(req) as HttpSessionDriver<D> | undefined
  if (driver === undefined) throw new Error('@tessera/express: the tessera() middleware has not run for this request')
  return driver.session
}

/** The session the (last) middleware put on `req` (`req.session` without declaration merging). */
export const sessionOf = <D extends SessionData = SessionData>(req: Request): HttpSession<D> => driverIn<D>(latest, req)

const send = (res: Response, plan: HttpPlan & { status: number }): void => {
  applyPlanHeaders(res, plan)
  res.status(plan.status).end(plan.body ?? '')
}

/**
 * Creates the session middleware. The session is opened on the first awaited
 * call, saved when changed before the head is sent, and kept alive without
 * decryption when the request never reads it.
 * @example
 * const sessions = tessera<{ user: string }>({ secret: process.env.SESSION_SECRET })
 * app.use(sessions)
 * app.post('/login', async (req, res) => {
 *   await sessions.of(req).set('user', 'alice')
 *   await sessions.of(req).regenerate()
 *   res.send('welcome')
 * })
 */
export const tessera = <D extends SessionData = RegisteredData>(
  options: SessionOptions | SessionEngine<D>,
  deps: BindingDeps = {},
): TesseraMiddleware<D> => {
  const { engine, spoofable, needs } = bindingSetup<D>(options, deps)
  /** This middleware's drivers: with two on one app, each `of` finds its own session. */
  const mine: Drivers = new WeakMap()

  /** After `begin` (or without one): headers for the app, the head held until the session settles, then the app. */
  const proceed = (req: Request, res: Response, next: NextFunction, driver: HttpSessionDriver<D>): void => {
    if (spoofable.length > 0) {
      // Only the session may say who the client is to the app behind us.
      for (const name of spoofable) delete req.headers[name]
      Object.assign(req.headers, driver.requestHeaders)
    }
    // The driver is the deferral's hooks: finish, finishSync, failureFor.
    deferHead(res, driver)
    next()
  }

  // Not async unless a logout or session headers need `begin`: Express then has no promise to watch.
  const tesseraSession = (req: Request, res: Response, next: NextFunction): void | Promise<void> => {
    const driver = createHttpSession(engine, toSessionRequest(req, needs), { failurePage: deps.failurePage })
    mine.set(req, driver as HttpSessionDriver<never>)
    latest.set(req, driver as HttpSessionDriver<never>)
    ;(req as { session?: unknown }).session = driver.session
    if (!driver.needsBegin()) return proceed(req, res, next, driver)
    return driver
      .begin(() => logoutBody(req))
      .then((early) => {
        if (early?.status !== undefined) return send(res, { ...early, status: early.status })
        proceed(req, res, next, driver)
      })
  }

  return Object.assign(tesseraSession, {
    of: (req: Request) => driverIn<D>(mine, req),
    engine,
  })
}
