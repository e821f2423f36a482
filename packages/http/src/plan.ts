/** What a binding must do to its response, and how session errors become those plans. */

import type { Outcome, SessionError } from '@tessera/core'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { httpOutcomeOf, SessionHttpError } from './outcomes.js'
import { NO_STORE } from './set-cookie.js'

/** What the binding must do to the response. `status` set: replace the app's response with this one. */
export interface HttpPlan {
  readonly status?: number
  readonly body?: string
  readonly headers: Readonly<Record<string, string>>
  readonly setCookie: readonly string[]
}

const ONLY_NO_STORE: Readonly<Record<string, string>> = Object.freeze({ 'Cache-Control': NO_STORE })

/** Set-Cookie lines and headers of a normal response. */
export const planOf = (o: Outcome): HttpPlan => ({
  headers:
    o.setCookie.length === 0
      ? o.headers
      : Object.keys(o.headers).length === 0
        ? ONLY_NO_STORE
        : { ...o.headers, 'Cache-Control': NO_STORE },
  setCookie: o.setCookie,
})

/** A server-side session failure, as an app's failure page sees it. */
export interface SessionFailure {
  readonly status: number
  /** The table's short text ("Session store unavailable"). */
  readonly message: string
  readonly error: SessionError
}

/**
 * The body an app gives the response to a server-side session failure (a
 * styled 503 page, say); undefined keeps the table's short text. The status
 * and headers stay the table's.
 */
export type FailurePage = (
  failure: SessionFailure,
) => { readonly body: string; readonly contentType: string } | undefined

const pageFor = (e: SessionHttpError, page: FailurePage | undefined) => {
  if (page === undefined) return undefined
  try {
    return page({ status: e.status, message: e.message, error: e.error })
  } catch {
    return undefined // a page that fails must not turn a 503 into a crash
  }
}

/** A response of the table for a server-side failure: no Set-Cookie, a short body or the app's page. */
export const failPlan = (e: SessionHttpError, page?: FailurePage): HttpPlan => {
  const custom = pageFor(e, page)
  return {
    status: e.status,
    body: custom?.body ?? e.message,
    headers: {
      ...e.headers,
      'Content-Type': custom?.contentType ?? 'text/plain; charset=utf-8',
      'Cache-Control': NO_STORE,
    },
    setCookie: [],
  }
}

/** A session error as the Promise API's rejection. Rejections never get here: `start` turns them into a new session. */
export const toHttpError = (e: SessionError): SessionHttpError => {
  const outcome = httpOutcomeOf(e)
  return new SessionHttpError(
    e,
    outcome._tag === 'Fail' ? outcome : { _tag: 'Fail', status: 500, body: 'Session error', headers: {} },
  )
}

/** Runs an engine task; a Left rejects with the table's SessionHttpError. */
export const run = async <A>(task: TE.TaskEither<SessionError, A>): Promise<A> => {
  const r = await task()
  if (E.isLeft(r)) throw toHttpError(r.left)
  return r.right
}
