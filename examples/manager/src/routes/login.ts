/** Signing in: the login page and the form it posts. */
import { randomBytes } from 'node:crypto'
import type { TesseraMiddleware } from '@tessera/express'
import { Router } from 'express'
import { newCsrfToken } from '../csrf.js'
import { formField } from '../guard.js'
import { type AdminData, keepDeviceInfo } from '../session.js'
import type { UserDirectory } from '../users.js'
import { loginPage } from '../views/login.js'

const text = (v: unknown): string => (typeof v === 'string' ? v : '')

export const loginRoutes = (sessions: TesseraMiddleware<AdminData>, users: UserDirectory): Router => {
  const router = Router()

  router.get('/login', async (req, res) => {
    const subject = await sessions.of(req).subject()
    // A signed-in admin goes to the console; a session the engine ended has no subject any more.
    if (subject !== undefined && users.find(subject) !== undefined) return res.redirect(303, '/')
    const notice = 'logged-out' in req.query ? 'You are logged out.' : undefined
    res.send(loginPage({ notice }))
  })

  router.post('/login', async (req, res) => {
    const email = text(formField(req, 'email')).trim()
    const admin = await users.authenticate(email, text(formField(req, 'password')))
    if (admin === undefined) {
      return void res.status(401).send(loginPage({ email, error: 'Wrong email or password.' }))
    }
    const session = sessions.of(req)
    const login = randomBytes(16).toString('base64url')
    await session.setSubject(admin.email)
    await session.set('login', login)
    await session.set('csrf', newCsrfToken())
    // Unchecked, the cookie says "forget" and the engine keeps remember off for this session.
    await session.setRemember(formField(req, 'remember') === '1')
    await keepDeviceInfo(session, req, login)
    // A new session id at the privilege change: an id planted before login (fixation) is worthless.
    await session.regenerate()
    res.redirect(303, '/')
  })

  return router
}
