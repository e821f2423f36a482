/** The pages behind the login: overview, "Your sessions", change password. */
import type { SessionSummary } from '@tessera/core'
import type { TesseraMiddleware } from '@tessera/express'
import { runSessionTask } from '@tessera/http'
import { type Request, Router } from 'express'
import type { Activity } from '../activity.js'
import { newCsrfToken } from '../csrf.js'
import { describeDevice } from '../devices.js'
import type { Endings, EndReason } from '../endings.js'
import { formField, requireAdmin, signedIn } from '../guard.js'
import type { AdminData } from '../session.js'
import { sessionTimes } from '../session-times.js'
import type { UserDirectory } from '../users.js'
import { activityPage } from '../views/activity.js'
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
  readonly activity: Activity
  readonly endings: Endings
}

export const consoleRoutes = ({ sessions, users, storeLabel, activity, endings }: ConsoleDeps): Router => {
  const router = Router()
  const engine = sessions.engine
  const audience = engine.options.audience
  const { idlingTimeout } = engine.options

  /** Why a browser with a session cookie reached a page without a session: what the engine said while opening it, or what this console did to it. */
  const whyOut = (req: Request): string | undefined => {
    const events = activity.eventsOfRequest()
    const expired = events.find((e) => e.type === 'expired')
    if (expired !== undefined) return expired.timeout === 'absolute' ? 'absolute' : 'idle'
    const ended = endings.take(req)
    if (ended !== undefined) return ended
    return events.some((e) => e.type === 'rejected' && e.reason._tag !== 'MissingCookie') ? 'ended' : undefined
  }
  router.use(requireAdmin(sessions, users, whyOut))

  const infoOf = (s: SessionSummary): Readonly<Record<string, unknown>> => s.info[audience] ?? {}
  const mine = (req: Request) => runSessionTask(engine.listSessions({ subject: signedIn(req).admin.email }))

  /**
   * Ends every other session of the admin, remembered devices included, then
   * renews this one: a new id and CSRF token, and a remember cookie issued
   * after invalidateSubject's not-before mark (the one it had is older, so
   * without the renewal this device would lose its remember-me too).
   */
  const endOthers = async (req: Request, reason: EndReason) => {
    const { admin, session, login } = signedIn(req)
    for (const other of await mine(req)) {
      const otherLogin = infoOf(other).login
      if (typeof otherLogin === 'string' && otherLogin !== login) endings.remember(otherLogin, reason)
    }
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
        // What the overview calls "idles out": the idling timeout from the last request, within the record's life.
        idlesAt:
          idlingTimeout > 0 && s.lastActiveAt !== undefined
            ? Math.min(s.lastActiveAt + idlingTimeout, s.expiresAt)
            : s.expiresAt,
        remember: info.remember === true,
        current: info.login === login,
      }
    })
    rows.sort((a, b) => Number(b.current) - Number(a.current) || (b.lastActiveAt ?? 0) - (a.lastActiveAt ?? 0))
    res.send(sessionsPage({ admin, csrf: session.get('csrf') ?? '', rows, notice: noticeOf(req) }))
  })

  router.post('/sessions/end', async (req, res) => {
    const { admin, login } = signedIn(req)
    // Only a key from this admin's own list: a posted key must never end someone else's session.
    const target = (await mine(req)).find((s) => s.key === text(formField(req, 'key')))
    const targetLogin = target === undefined ? undefined : infoOf(target).login
    if (target === undefined || targetLogin === login) return res.redirect(303, '/sessions?notice=already-ended')
    // Removes the record and the remember record it names: that device is signed out for good.
    if (typeof targetLogin === 'string') endings.remember(targetLogin, 'ended-by-you')
    await runSessionTask(engine.endSession({ key: target.key, subject: admin.email }))
    res.redirect(303, '/sessions?notice=ended')
  })

  router.post('/sessions/end-others', async (req, res) => {
    await endOthers(req, 'others-ended')
    res.redirect(303, '/sessions?notice=others-ended')
  })

  router.get('/activity', (req, res) => {
    const { admin } = signedIn(req)
    res.send(activityPage({ admin, entries: activity.entries().slice(0, 200) }))
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
    await endOthers(req, 'password-changed')
    res.redirect(303, '/sessions?notice=password-changed')
  })

  return router
}
