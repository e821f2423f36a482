/** The pages behind the login: overview, "Your sessions", change password. */
import { runSessionTask, type SessionSummary } from '@tessera/core'
import type { TesseraMiddleware } from '@tessera/express'
import { type Request, Router } from 'express'
import { newCsrfToken } from '../csrf.js'
import { describeDevice } from '../devices.js'
import { formField, requireAdmin, signedIn } from '../guard.js'
import type { AdminData } from '../session.js'
import { sessionTimes } from '../session-times.js'
import type { UserDirectory } from '../users.js'
import { overviewPage } from '../views/overview.js'
import { passwordPage } from '../views/password.js'
import { type SessionRow, sessionsPage } from '../views/sessions.js'

// Notices are chosen by a code in the query string, never echoed from it.
const NOTICES: Readonly<Record<string, string>> = {
  ended: 'That session has ended.',
  'already-ended': 'That session had already ended.',
  'others-ended': 'Every other session has ended.',
  'password-changed': 'Password changed. Every other session has ended; this one continues under a new id.',
}
const noticeOf = (req: Request): string | undefined => {
  const code = req.query.notice
  return typeof code === 'string' ? NOTICES[code] : undefined
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '')

export interface ConsoleDeps {
  readonly sessions: TesseraMiddleware<AdminData>
  readonly users: UserDirectory
  /** Shown on the overview: which store the records live in. */
  readonly storeLabel: string
}

export const consoleRoutes = ({ sessions, users, storeLabel }: ConsoleDeps): Router => {
  const router = Router()
  const engine = sessions.engine
  const audience = engine.options.audience
  router.use(requireAdmin(sessions, users))

  const infoOf = (s: SessionSummary): Readonly<Record<string, unknown>> => s.info[audience] ?? {}
  const mine = (req: Request) => runSessionTask(engine.listSessions({ subject: signedIn(req).admin.email }))

  /**
   * Ends every other session of the admin, remembered devices included, then
   * renews this one: a new id and CSRF token, and a remember cookie issued
   * after invalidateSubject's not-before mark (the one it had is older, so
   * without the renewal this device would lose its remember-me too).
   */
  const endOthers = async (req: Request) => {
    const { admin, session } = signedIn(req)
    const except = session.id === undefined ? {} : { except: session.id }
    await runSessionTask(engine.invalidateSubject({ subject: admin.email, ...except }))
    const handle = sessions.of(req)
    await handle.set('csrf', newCsrfToken())
    await handle.regenerate()
  }

  router.get('/', (req, res) => {
    const { admin, session } = signedIn(req)
    const headers = engine.outcome(session).headers
    res.send(
      overviewPage({
        admin,
        now: Math.floor(Date.now() / 1000),
        sessionId: session.id,
        createdAt: session.createdAt,
        remember: session.remember,
        times: sessionTimes(headers, engine.options),
        headers,
        store: storeLabel,
        notice: noticeOf(req),
      }),
    )
  })

  router.get('/sessions', async (req, res) => {
    const { admin, session, login } = signedIn(req)
    const rows: SessionRow[] = (await mine(req)).map((s) => {
      const info = infoOf(s)
      return {
        key: s.key,
        device: describeDevice(text(info.userAgent) || undefined).label,
        ip: text(info.ip) || undefined,
        createdAt: s.createdAt,
        lastActiveAt: s.lastActiveAt,
        expiresAt: s.expiresAt,
        current: info.login === login,
      }
    })
    rows.sort((a, b) => Number(b.current) - Number(a.current) || b.lastActiveAt - a.lastActiveAt)
    res.send(sessionsPage({ admin, csrf: session.get('csrf') ?? '', rows, notice: noticeOf(req) }))
  })

  router.post('/sessions/end', async (req, res) => {
    const { admin, login } = signedIn(req)
    // Only a key from this admin's own list: a posted key must never end someone else's session.
    const target = (await mine(req)).find((s) => s.key === text(formField(req, 'key')))
    const targetLogin = target === undefined ? undefined : infoOf(target).login
    if (target === undefined || targetLogin === login) return res.redirect(303, '/sessions?notice=already-ended')
    // Removes the record and the remember record it names: that device is signed out for good.
    await runSessionTask(engine.endSession({ key: target.key, subject: admin.email }))
    res.redirect(303, '/sessions?notice=ended')
  })

  router.post('/sessions/end-others', async (req, res) => {
    await endOthers(req)
    res.redirect(303, '/sessions?notice=others-ended')
  })

  router.get('/password', (req, res) => {
    const { admin, session } = signedIn(req)
    res.send(passwordPage({ admin, csrf: session.get('csrf') ?? '' }))
  })

  router.post('/password', async (req, res) => {
    const { admin, session } = signedIn(req)
    const [current, next, confirm] = ['current', 'next', 'confirm'].map((f) => text(formField(req, f)))
    const error =
      (await users.authenticate(admin.email, current ?? '')) === undefined
        ? 'The current password is wrong.'
        : next !== confirm
          ? 'The new passwords differ.'
          : (next ?? '').length < 12
            ? 'Choose at least 12 characters.'
            : undefined
    if (error !== undefined)
      return void res.status(400).send(passwordPage({ admin, csrf: session.get('csrf') ?? '', error }))
    await users.changePassword(admin.email, next ?? '')
    await endOthers(req)
    res.redirect(303, '/sessions?notice=password-changed')
  })

  return router
}
