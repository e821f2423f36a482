/** What the console keeps in a session, and the device info kept beside its record. */
import type { HttpSession } from '@tessera/http'
import type { Request } from 'express'

/** The session data of a signed-in admin (the subject is the admin's email). */
export type AdminData = {
  /**
   * Names this login across rotations: the id changes at every save (and may be
   * stored hashed), so the sessions page finds "this browser" by this value.
   */
  login: string
  csrf: string
}

/** The client's address as people know it: Node reports IPv4 clients of a dual-stack socket as ::ffff:a.b.c.d. */
export const clientAddress = (req: Request): string => (req.ip ?? '').replace(/^::ffff:(?=\d+\.)/, '')

/** Keeps the device beside the record (unencrypted `info`), for the sessions page. */
export const keepDeviceInfo = async (session: HttpSession<AdminData>, req: Request, login: string): Promise<void> => {
  await session.setInfo('userAgent', req.get('user-agent') ?? '')
  await session.setInfo('ip', clientAddress(req))
  await session.setInfo('login', login)
  await session.setInfo('remember', (await session.load()).remember)
}
