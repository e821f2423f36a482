/** What the console keeps in a session, and the small glue between the engine's results and Express. */
import type { HttpSession, SessionError } from '@tessera/core'
import { httpOutcomeOf, SessionHttpError } from '@tessera/core'
import type { Request } from 'express'

/** The session data of a signed-in admin (the subject is the admin's email). */
export type AdminData = {
  /** Names this login across rotations, so the app can end it even when the store cannot (remember cookies). */
  login: string
  csrf: string
  /** The admin's generation at login; a password change starts a new one. */
  generation: number
  /** The remember-me choice at login; the engine's `session.remember` forgets it once reopened. */
  remember: boolean
}

type Task<A> = () => Promise<
  { readonly _tag: 'Left'; readonly left: SessionError } | { readonly _tag: 'Right'; readonly right: A }
>

/** Runs an engine task (listSessions, endSession, …); a failure rejects with the binding's HTTP error. */
export const perform = async <A>(task: Task<A>): Promise<A> => {
  const result = await task()
  if (result._tag === 'Right') return result.right
  const outcome = httpOutcomeOf(result.left)
  throw new SessionHttpError(
    result.left,
    outcome._tag === 'Fail' ? outcome : { _tag: 'Fail', status: 500, body: 'Session error', headers: {} },
  )
}

/** Keeps the device beside the record (unencrypted `info`), for the sessions page. */
export const keepDeviceInfo = async (session: HttpSession<AdminData>, req: Request, login: string): Promise<void> => {
  await session.setInfo('userAgent', req.get('user-agent') ?? '')
  // Node reports IPv4 clients of a dual-stack socket as ::ffff:a.b.c.d; people know them as a.b.c.d.
  await session.setInfo('ip', (req.ip ?? '').replace(/^::ffff:(?=\d+\.)/, ''))
  await session.setInfo('login', login)
}
