/**
 * The reference's session headers for an upstream (`requestHeaders`), from
 * the same function the engine's `outcome` uses for the response set.
 */
import type { SessionEngine } from '../engine.js'
import type { SessionData } from '../entries.js'
import { sessionHeaders } from '../headers.js'
import type { SessionHeaderName } from '../options.js'
import type { Session } from '../session.js'
import { SessionImpl } from '../session.js'

const REQUEST_NAMES: Readonly<Record<SessionHeaderName, string>> = {
  id: 'session-id',
  audience: 'session-audience',
  subject: 'session-subject',
  timeout: 'session-timeout',
  'idling-timeout': 'session-idling-timeout',
  'rolling-timeout': 'session-rolling-timeout',
  'absolute-timeout': 'session-absolute-timeout',
}

/** Lower-case names of the configured request headers: a client must not be able to send them itself. */
export const requestHeaderNames = (names: readonly SessionHeaderName[]): string[] => names.map((n) => REQUEST_NAMES[n])

/** The configured request headers of an open session (lower-case names, as Node keeps them). */
export const requestHeadersOf = <D extends SessionData>(
  engine: SessionEngine<D>,
  session: Session<D>,
  nowSeconds: number,
): Record<string, string> => {
  const names = engine.options.requestHeaders
  if (names.length === 0 || !(session instanceof SessionImpl)) return {}
  const headers = sessionHeaders(engine.options, session as SessionImpl, names, nowSeconds)
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
}
