/**
 * Runs before the session middleware answers a logout (Kong's `session_logout`
 * form field): notes the login as ended. The engine's destroy removes the
 * session record but not the remember record, so a copied remember cookie
 * would otherwise open the session again; the guard refuses ended logins.
 */
import type { TesseraMiddleware } from '@tessera/express'
import type { RequestHandler } from 'express'
import { formField } from './guard.js'
import type { AdminData } from './session.js'
import type { UserDirectory } from './users.js'

export const endLoginOnLogout =
  (sessions: TesseraMiddleware<AdminData>, users: UserDirectory): RequestHandler =>
  async (req, _res, next) => {
    const o = sessions.engine.options.logout
    if (req.method !== 'POST' || formField(req, o.postArg) === undefined) return next()
    const opened = await sessions.engine.open({
      method: req.method,
      url: req.originalUrl,
      headers: req.headers,
      remoteAddress: req.ip,
      scheme: req.protocol === 'https' ? 'https' : 'http',
    })()
    const login = opened._tag === 'Right' ? opened.right.get('login') : undefined
    if (login !== undefined) users.endLogin(login)
    next()
  }
