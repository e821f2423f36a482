/** An Express request as the engine sees it. */
import { isParsableBody, readBody, type SessionRequest } from '@tessera/http'
import type { Request } from 'express'

/** Method, original URL (for the logout query argument), headers, `req.ip` (honours `trust proxy`), `req.protocol`. */
export const toSessionRequest = (
  req: Request,
  needs: { readonly ip: boolean; readonly scheme: boolean },
): SessionRequest => ({
  method: req.method,
  url: req.originalUrl,
  headers: req.headers,
  // Read only when a session is bound to them: req.ip asks the socket for its peer every time.
  remoteAddress: needs.ip ? req.ip : undefined,
  scheme: needs.scheme ? (req.protocol === 'https' ? 'https' : 'http') : undefined,
})

/**
 * The body for logout detection: what a body parser mounted earlier left in
 * `req.body`, else read here and left in `req.body` (body-parser skips a
 * request whose body was already read).
 */
export const logoutBody = async (req: Request): Promise<unknown> => {
  const parsed: unknown = req.body
  if (parsed !== undefined) return parsed
  const type = req.headers['content-type']
  if (!isParsableBody(type)) return undefined
  const body = await readBody(req, type)
  req.body = body
  return body
}
