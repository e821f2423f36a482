/** The console as an Express app, built from its parts so that tests can start it in-process. */
import type { SessionEngine } from '@tessera/core'
import { tessera } from '@tessera/express'
import { isSessionHttpError } from '@tessera/http'
import express, { type NextFunction, type Request, type Response } from 'express'
import { type Activity, createActivity } from './activity.js'
import { createEndings } from './endings.js'
import { consoleRoutes } from './routes/console.js'
import { loginRoutes } from './routes/login.js'
import type { AdminData } from './session.js'
import { createLoginThrottle, type LoginThrottle } from './throttle.js'
import type { UserDirectory } from './users.js'
import { errorPage } from './views/error.js'

export interface AppOptions {
  /** The engine, e.g. `TesseraTokens.engine` resolved from @tessera/container. */
  readonly engine: SessionEngine<AdminData>
  readonly users: UserDirectory
  /** Which store the records live in, for the overview page (e.g. `memory://`). */
  readonly storeLabel?: string
  /** The activity log; give its `onEvent` to the engine so the log sees the engine's events. */
  readonly activity?: Activity
  /** Failed sign-ins per account and per client (default: 5 and 20 in 15 minutes). */
  readonly throttle?: LoginThrottle
}

// An admin console is never framed, never cached, and posts only to itself.
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  // Not no-referrer: Chromium then sends `Origin: null` on form POSTs, which sameOrigin refuses.
  'Referrer-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
}

/** Refuses a POST whose Origin is another site: covers the login form, which has no session to hold a token yet. */
const sameOrigin = (req: Request, res: Response, next: NextFunction): void => {
  const origin = req.get('origin')
  if (req.method !== 'POST' || origin === undefined || hostOf(origin) === req.get('host')) {
    next()
    return
  }
  res.status(403).type('text/plain').send('Cross-site request refused.')
}

const hostOf = (origin: string): string | undefined => (URL.canParse(origin) ? new URL(origin).host : undefined)

/**
 * Creates the console on the given engine.
 * @example
 * const app = createApp({ engine: scope.resolve(TesseraTokens.engine), users })
 * app.listen(3000)
 */
export const createApp = (o: AppOptions): express.Express => {
  // A store outage answers with the console's own page; the status and Retry-After stay the session table's.
  const sessions = tessera(o.engine, {
    failurePage: (f) => ({ body: errorPage(f.status, f.message), contentType: 'text/html; charset=utf-8' }),
  })
  const activity = o.activity ?? createActivity()
  const endings = createEndings()
  const throttle = o.throttle ?? createLoginThrottle()
  const app = express()
  app.disable('x-powered-by')
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS)
    next()
  })
  app.use(sameOrigin)
  // Parsed before the session middleware, which then finds `session_logout` in req.body (logout.readBody)
  // and answers the logout itself: it ends the session and its remember record, then redirects.
  app.use(express.urlencoded({ extended: false, limit: '8kb' }))
  // Each request collects the engine events it causes (the guard tells a signed-out browser why).
  app.use(activity.perRequest)
  app.use(sessions)
  app.use(loginRoutes({ sessions, users: o.users, throttle, activity, endings }))
  app.use(consoleRoutes({ sessions, users: o.users, storeLabel: o.storeLabel ?? 'a store', activity, endings }))
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    const status = isSessionHttpError(err) ? err.status : 500
    // A store outage is logged once by the store itself, not once per request.
    if (status === 500) console.error(err)
    res
      .status(status)
      .type('html')
      .send(errorPage(status, isSessionHttpError(err) ? err.message : 'Something went wrong'))
  })
  return app
}
