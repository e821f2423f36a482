/** Signing in: the login page and the form it posts. */
import { randomBytes } from 'node:crypto'
import type { TesseraMiddleware } from '@tessera/express'
import { Router } from 'express'
import type { Activity } from '../activity.js'
import { newCsrfToken } from '../csrf.js'
import type { Endings } from '../endings.js'
import { formField } from '../guard.js'
import { type AdminData, clientAddress, keepDeviceInfo } from '../session.js'
import type { LoginThrottle } from '../throttle.js'
import { formatDuration } from '../times.js'
import type { UserDirectory } from '../users.js'
import { loginPage } from '../views/login.js'

const text = (v: unknown): string => (typeof v === 'string' ? v : '')

export interface LoginDeps {
  readonly sessions: TesseraMiddleware<AdminData>
  readonly users: UserDirectory
  readonly throttle: LoginThrottle
  readonly activity: Activity
  readonly endings: Endings
}

/** Why this browser is at the login page, by the code the guard put in `?why=` (never echoed). */
const signedOutNotice = (why: unknown, idle: number, absolute: number): string | undefined => {
  switch (why) {
    case 'idle':
      return `You were signed out: the session idled out after ${formatDuration(idle)} without a request.`
    case 'absolute':
      return `You were signed out: a session lasts at most ${formatDuration(absolute)}. Sign in again.`
    case 'password-changed':
      return 'You were signed out: the password was changed on another device.'
    case 'ended-by-you':
      return 'You were signed out: this session was ended from another device ("End this session").'
    case 'others-ended':
      return 'You were signed out: "End all other sessions" was used on another device.'
    case 'ended':
      return 'You were signed out: this session no longer exists on the server.'
    default:
      return undefined
  }
}

export const loginRoutes = ({ sessions, users, throttle, activity, endings }: LoginDeps): Router => {
  const router = Router()
  const { idlingTimeout, absoluteTimeout } = sessions.engine.options

  router.get('/login', async (req, res) => {
    const subject = await sessions.of(req).subject()
    // A signed-in admin goes to the console; a session the engine ended has no subject any more.
    if (subject !== undefined && users.find(subject) !== undefined) return res.redirect(303, '/')
    if ('logged-out' in req.query) endings.forget(res)
    const notice =
      'logged-out' in req.query ? 'You are logged out.' : signedOutNotice(req.query.why, idlingTimeout, absoluteTimeout)
    res.send(loginPage({ notice }))
  })

  router.post('/login', async (req, res) => {
    const email = text(formField(req, 'email')).trim()
    const client = clientAddress(req)
    const now = Math.floor(Date.now() / 1000)
    // Checked before the password, so the right one does not get in while locked either.
    const lock = throttle.check(email, client, now)
    if (lock !== undefined) {
      activity.record({
        kind: 'throttled',
        subject: email || undefined,
        detail: `from ${client}, locked by ${lock.by}`,
      })
      const error =
        lock.by === 'account'
          ? `Too many failed sign-ins for this account. Try again in ${formatDuration(lock.retryAfter)}.`
          : `Too many failed sign-ins from this address. Try again in ${formatDuration(lock.retryAfter)}.`
      return void res.status(429).set('Retry-After', String(lock.retryAfter)).send(loginPage({ email, error }))
    }
    const admin = await users.authenticate(email, text(formField(req, 'password')))
    if (admin === undefined) {
      throttle.fail(email, client, now)
      activity.record({ kind: 'failed-sign-in', subject: email || undefined, detail: `from ${client}` })
      return void res.status(401).send(loginPage({ email, error: 'Wrong email or password.' }))
    }
    throttle.succeed(email)
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
    endings.mark(req, res, login)
    res.redirect(303, '/')
  })

  return router
}
