/**
 * The gate in front of every console page: a session with a known admin and,
 * on POST, the session's CSRF token. Whether the session still counts (ended
 * from another device, password changed, logged out) is the engine's call.
 */
import type { Session } from '@tessera/core'
import type { TesseraMiddleware } from '@tessera/express'
import type { Request, RequestHandler } from 'express'
import { CSRF_FIELD, csrfMatches } from './csrf.js'
import { type AdminData, keepDeviceInfo } from './session.js'
import type { Admin, UserDirectory } from './users.js'

/** The signed-in admin of a request that passed the guard. */
export interface SignedIn {
  readonly admin: Admin
  readonly session: Session<AdminData>
  readonly login: string
}

const signed = new WeakMap<Request, SignedIn>()

/** The admin the guard let through; only for routes behind it. */
export const signedIn = (req: Request): SignedIn => {
  const s = signed.get(req)
  if (s === undefined) throw new Error('route is not behind requireAdmin')
  return s
}

/** A field of a parsed form body. */
export const formField = (req: Request, name: string): unknown =>
  typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>)[name] : undefined

/**
 * Redirects to the login page unless the request's session belongs to an admin;
 * `whyOut` names why a browser that had a session no longer has one (`?why=…`).
 */
export const requireAdmin =
  (
    sessions: TesseraMiddleware<AdminData>,
    users: UserDirectory,
    whyOut: (req: Request) => string | undefined = () => undefined,
  ): RequestHandler =>
  async (req, res, next) => {
    const handle = sessions.of(req)
    const session = await handle.load()
    const admin = session.subject === undefined ? undefined : users.find(session.subject)
    const login = session.get('login')
    if (admin === undefined || login === undefined) {
      const why = whyOut(req)
      return res.redirect(303, why === undefined ? '/login' : `/login?why=${why}`)
    }
    if (req.method === 'POST' && !csrfMatches(session.get('csrf'), formField(req, CSRF_FIELD))) {
      return void res.status(403).type('text/plain').send('Invalid or missing CSRF token: reload the page and retry.')
    }
    // A session reopened from its remember cookie comes back without the info kept beside its record.
    if ((await handle.getInfo('userAgent')) === undefined) await keepDeviceInfo(handle, req, login)
    signed.set(req, { admin, session, login })
    next()
  }
