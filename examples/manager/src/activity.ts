/**
 * The activity log: what the engine did (sign-ins, renewals, logouts, ended
 * sessions, timeouts, rejected cookies) and the failed sign-ins the login
 * form saw, newest first, kept in memory. Also tells a request which engine
 * events happened while it was served, so the login page can say why a
 * browser was signed out.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { EventListener, SessionEvent } from '@tessera/core'
import type { RequestHandler } from 'express'

export type ActivityKind =
  | 'signed-in'
  | 'failed-sign-in'
  | 'throttled'
  | 'renewed'
  | 'ended'
  | 'ended-others'
  | 'timed-out'
  | 'rejected'

export interface ActivityEntry {
  readonly at: number
  readonly kind: ActivityKind
  /** The admin, when known. */
  readonly subject: string | undefined
  readonly detail: string
}

export interface Activity {
  /** The engine's event listener (give it to the engine at start-up). */
  readonly onEvent: EventListener
  /** Runs the rest of the request with its own list of engine events. */
  readonly perRequest: RequestHandler
  /** The engine events of the request being served. */
  readonly eventsOfRequest: () => readonly SessionEvent[]
  readonly record: (entry: Omit<ActivityEntry, 'at'>) => void
  /** Newest first. */
  readonly entries: () => readonly ActivityEntry[]
}

const short = (id: string) => `${id.slice(0, 8)}…`

export const createActivity = (limit = 500, clock: () => number = () => Math.floor(Date.now() / 1000)): Activity => {
  const log: ActivityEntry[] = []
  const requestEvents = new AsyncLocalStorage<SessionEvent[]>()
  /** Which admin a session id belongs to, learnt from `created` and carried across `rotated` (bounded). */
  const owners = new Map<string, string>()
  const own = (id: string, subject: string | undefined) => {
    if (subject === undefined) return
    if (owners.size >= limit * 4) owners.delete(owners.keys().next().value ?? '')
    owners.set(id, subject)
  }
  const record = (e: Omit<ActivityEntry, 'at'>) => {
    log.unshift({ at: clock(), ...e })
    if (log.length > limit) log.length = limit
  }
  const fromEngine = (e: SessionEvent): Omit<ActivityEntry, 'at'> | undefined => {
    switch (e.type) {
      case 'created':
        own(e.id, e.subject)
        return e.subject === undefined
          ? undefined
          : { kind: 'signed-in', subject: e.subject, detail: `session ${short(e.id)}` }
      case 'rotated': {
        const subject = owners.get(e.previousId)
        owners.delete(e.previousId)
        own(e.id, subject)
        return { kind: 'renewed', subject, detail: `session ${short(e.previousId)} → ${short(e.id)}` }
      }
      case 'destroyed':
        return { kind: 'ended', subject: owners.get(e.id), detail: `session ${short(e.id)} logged out` }
      case 'invalidated':
        return { kind: 'ended-others', subject: e.subject, detail: `${e.count} session(s) ended` }
      case 'expired':
        return {
          kind: 'timed-out',
          subject: undefined,
          detail: `${e.timeout} timeout${e.remember ? ' (remember cookie)' : ''}`,
        }
      case 'rejected':
        // A cookie whose record is gone or that fails its checks; a missing cookie is no news.
        if (e.reason._tag === 'MissingCookie') return undefined
        return { kind: 'rejected', subject: undefined, detail: describeRejection(e.reason) }
      case 'touched':
        return undefined
    }
  }
  return {
    onEvent: (e) => {
      requestEvents.getStore()?.push(e)
      const entry = fromEngine(e)
      if (entry !== undefined) record(entry)
    },
    perRequest: (_req, _res, next) => requestEvents.run([], next),
    eventsOfRequest: () => requestEvents.getStore() ?? [],
    record,
    entries: () => log,
  }
}

const describeRejection = (reason: Extract<SessionEvent, { type: 'rejected' }>['reason']): string => {
  switch (reason._tag) {
    case 'InvalidCookie':
      return reason.reason === 'record' ? 'cookie of an ended session' : `invalid cookie (${reason.reason})`
    case 'Revoked':
      return `cookie of a revoked session (${reason.reason})`
    default:
      return reason._tag
  }
}
