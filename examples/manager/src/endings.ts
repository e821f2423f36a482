/**
 * Why a browser was signed out, for its next visit: the console remembers,
 * per login (the random value a session keeps across renewals, also in the
 * browser's `manager_login` cookie), why it ended that session.
 */
import type { Request, Response } from 'express'

export type EndReason = 'password-changed' | 'ended-by-you' | 'others-ended'

/** The browser's login id: a random name of the login, not a credential (the session cookie is). */
const LOGIN_COOKIE = 'manager_login'

export interface Endings {
  remember(login: string, reason: EndReason): void
  /** The reason recorded for this browser's login, once. */
  take(req: Request): EndReason | undefined
  /** Names the login in the browser (at sign-in). */
  mark(req: Request, res: Response, login: string): void
  forget(res: Response): void
}

const MAX = 10_000

export const createEndings = (): Endings => {
  const reasons = new Map<string, EndReason>()
  return {
    remember: (login, reason) => {
      if (reasons.size >= MAX) reasons.delete(reasons.keys().next().value ?? '')
      reasons.set(login, reason)
    },
    take: (req) => {
      const login = cookieValue(req, LOGIN_COOKIE)
      if (login === undefined) return undefined
      const reason = reasons.get(login)
      reasons.delete(login)
      return reason
    },
    mark: (req, res, login) => {
      res.cookie(LOGIN_COOKIE, login, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' })
    },
    forget: (res) => {
      res.clearCookie(LOGIN_COOKIE, { path: '/' })
    },
  }
}

const cookieValue = (req: Request, name: string): string | undefined => {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}
