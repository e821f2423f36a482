/**
 * When the current session idles out, renews and ends, read from the
 * engine's own `Session-*` headers (what Kong sends with `response_headers`),
 * so the page shows the engine's arithmetic rather than a copy of it.
 */
import type { EngineOptions } from '@tessera/core'

/** Seconds from now; undefined when that timeout is off. */
export interface SessionTimes {
  readonly idle: number | undefined
  /** The session id is replaced (cookie re-issued) on the first request after this. */
  readonly renew: number | undefined
  readonly rolling: number | undefined
  readonly absolute: number | undefined
  readonly nearest: number | undefined
}

const seconds = (headers: Readonly<Record<string, string>>, name: string): number | undefined => {
  const v = headers[name]
  return v === undefined ? undefined : Number(v)
}

/** Reads the headers an engine's `outcome(session)` carries. */
export const sessionTimes = (
  headers: Readonly<Record<string, string>>,
  o: Pick<EngineOptions, 'rollingTimeout'>,
): SessionTimes => {
  const rolling = seconds(headers, 'Session-Rolling-Timeout')
  // The engine rotates past 75% of the rolling timeout (lua-resty-session's renewal point).
  const renew = rolling === undefined ? undefined : rolling - (o.rollingTimeout - Math.floor(o.rollingTimeout * 0.75))
  return {
    idle: seconds(headers, 'Session-Idling-Timeout'),
    renew: renew === undefined ? undefined : Math.max(renew, 0),
    rolling,
    absolute: seconds(headers, 'Session-Absolute-Timeout'),
    nearest: seconds(headers, 'Session-Timeout'),
  }
}
