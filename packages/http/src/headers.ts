/**
 * The reference's session headers for an upstream (`requestHeaders`), from
 * the same function the engine's `outcome` uses for the response set.
 */
import type { Session, SessionData, SessionEngine, SessionHeaderName } from '@tessera/core'
import { sessionHeadersOf } from '@tessera/core/internal'

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
  if (names.length === 0) return {}
  const headers = sessionHeadersOf(engine, session, names, nowSeconds)
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
}
