/**
 * The reference's session headers (`Session-Id`, `Session-Timeout`, …), set
 * on the request for an upstream or on the response for the client.
 */
import type { ResolvedOptions, SessionHeaderName } from './options.js'
import { remaining } from './policy.js'
import type { SessionImpl } from './session.js'

const NAMES: Readonly<Record<SessionHeaderName, string>> = {
  id: 'Session-Id',
  audience: 'Session-Audience',
  subject: 'Session-Subject',
  timeout: 'Session-Timeout',
  'idling-timeout': 'Session-Idling-Timeout',
  'rolling-timeout': 'Session-Rolling-Timeout',
  'absolute-timeout': 'Session-Absolute-Timeout',
}

/** Header values for an open session; nothing for a new or closed one. */
export const sessionHeaders = (
  o: ResolvedOptions,
  s: SessionImpl,
  names: readonly SessionHeaderName[],
  now: number,
): Record<string, string> => {
  const headers: Record<string, string> = {}
  const meta = s.meta
  if (names.length === 0 || s.state !== 'open' || meta === undefined) return headers
  const left = remaining(meta.header, o, now)
  const values: Readonly<Record<SessionHeaderName, string | number | undefined>> = {
    id: s.id,
    audience: s.audience,
    subject: s.subject,
    timeout: left.nearest,
    'idling-timeout': left.idle,
    'rolling-timeout': left.rolling,
    'absolute-timeout': left.absolute,
  }
  for (const name of names) {
    const value = values[name]
    if (value !== undefined) headers[NAMES[name]] = String(value)
  }
  return headers
}
