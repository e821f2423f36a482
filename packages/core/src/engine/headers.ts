/**
 * The reference's session headers (`Session-Id`, `Session-Timeout`, …), set
 * on the request for an upstream or on the response for the client.
 */
import type { EngineOptions, SessionHeaderName } from '../options/schema.js'
import { remaining } from '../policy/timeouts.js'
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

/**
 * A value as a header can carry it (RFC 9110 §5.5): visible ASCII other than
 * `%` is sent as it is; anything else (CR, LF, NUL, spaces, `%`, non-ASCII)
 * is percent-encoded from its UTF-8, so a subject or audience can never
 * split a header, and `decodeURIComponent` gives the value back.
 */
const headerValue = (value: string): string => {
  let plain = true
  for (let i = 0; i < value.length && plain; i++) {
    const c = value.charCodeAt(i)
    plain = c > 0x20 && c < 0x7f && c !== PERCENT
  }
  if (plain) return value
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    out += byte > 0x20 && byte < 0x7f && byte !== PERCENT ? String.fromCharCode(byte) : `%${HEX[byte]}`
  }
  return out
}
const PERCENT = 0x25
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'))

/** Header values for an open session; nothing for a new or closed one. */
export const sessionHeaders = (
  o: EngineOptions,
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
    if (value !== undefined) headers[NAMES[name]] = typeof value === 'string' ? headerValue(value) : String(value)
  }
  return headers
}
