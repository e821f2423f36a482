/**
 * The request driver both bindings share: holds one request's lazily opened
 * session, answers logout requests, and at the end says what the response
 * must carry. Bindings only translate their request and response to it.
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseCookieHeader } from '../cookies.js'
import {
  createSessionEngine,
  type EngineDeps,
  isSessionEngine,
  type Outcome,
  type SessionEngine,
  type SessionRequest,
} from '../engine.js'
import type { SessionData } from '../entries.js'
import { isRejection } from '../errors.js'
import { bindingNeeds, type SessionOptions } from '../options.js'
import type { Clock } from '../ports.js'
import type { Session } from '../session.js'
import { systemClock } from '../system.js'
import { createHandle, type HttpSession } from './handle.js'
import { requestHeaderNames, requestHeadersOf } from './headers.js'
import { bodyRequestsLogout, checkLogout } from './logout.js'
import { isSessionHttpError, type SessionHttpError } from './outcomes.js'
import { EMPTY, failPlan, type HttpPlan, planOf, run, toHttpError } from './plan.js'
import { mergeSetCookie } from './set-cookie.js'

/** The binding's side of one request's session. */
export interface HttpSessionDriver<D extends SessionData = SessionData> {
  /** What the app gets as `req.session` / `ctx.session`. */
  readonly session: HttpSession<D>
  /**
   * Runs before the app: answers a logout request (a plan to send now, or
   * undefined with `logout.response: 'next'`), and opens the session eagerly
   * when session headers are configured. `readBody` is called only for a
   * logout-method request without the query argument when `logout.readBody` is on.
   */
  begin(readBody: () => Promise<unknown>): Promise<HttpPlan | undefined>
  /** False when `begin` would do nothing (no logout possible, no session headers): skip it. */
  needsBegin(): boolean
  /** Headers for an upstream (`requestHeaders`), known after `begin`. */
  readonly requestHeaders: Readonly<Record<string, string>>
  /** The server-side failure the Promise API reported during this request, as its plan. */
  readonly failure: HttpPlan | undefined
  /** Runs after the app, before the head is sent: saves, touches or keeps alive. Idempotent. */
  finish(): Promise<HttpPlan>
  /** The plan for an error the app threw, when it is a session failure. */
  planFor(err: unknown): HttpPlan | undefined
}

type State<D extends SessionData> =
  | { readonly _tag: 'idle' }
  | { readonly _tag: 'ready'; readonly session: Session<D> }
  | { readonly _tag: 'failed'; readonly error: SessionHttpError }

/** What a binding sets up once: the engine (given, or made from options), and what it reads per request. */
export const bindingSetup = <D extends SessionData>(options: SessionOptions | SessionEngine<D>, deps: EngineDeps) => {
  // An engine made elsewhere (e.g. resolved from @tessera/container) is used as it is.
  const engine = isSessionEngine<D>(options) ? options : createSessionEngine<D>(options, deps)
  return {
    engine,
    /** Request headers only the session may set: copies a client sent are removed. */
    spoofable: requestHeaderNames(engine.options.requestHeaders),
    needs: bindingNeeds(engine.options),
  }
}

/**
 * Whether a request needs the driver before the app runs: a possible logout
 * (a logout method carrying a session or remember cookie), or session headers.
 */
export const beginNeeded = (o: SessionEngine['options'], req: SessionRequest): boolean => {
  if (o.requestHeaders.length > 0 || o.responseHeaders.length > 0) return true
  if (!o.logout.methods.some((m) => m === (req.method ?? 'GET').toUpperCase())) return false
  const sent = parseCookieHeader(req.headers.cookie)
  return sent.has(o.cookie.name) || sent.has(o.cookie.rememberName)
}

/**
 * The plan for a request whose app never touched its session: no driver is
 * made; the header is checked and touched, rotated or cleared only when due.
 */
export const untouchedPlan = async <D extends SessionData>(
  engine: SessionEngine<D>,
  req: SessionRequest,
): Promise<HttpPlan> => {
  try {
    return planOf(await run(engine.keepAlive(req)))
  } catch (e) {
    if (isSessionHttpError(e)) return failPlan(e)
    throw e
  }
}

/**
 * Creates the driver for one request.
 * @example
 * const http = createHttpSession(engine, { method: 'GET', url: '/', headers: req.headers })
 * const early = await http.begin(async () => undefined)
 * // … the app runs with http.session …
 * const plan = await http.finish()
 */
export const createHttpSession = <D extends SessionData>(
  engine: SessionEngine<D>,
  req: SessionRequest,
  deps: { readonly clock?: Clock | undefined } = {},
): HttpSessionDriver<D> => {
  const o = engine.options
  const clock = deps.clock ?? systemClock
  let state: State<D> = { _tag: 'idle' }
  let queue: Promise<unknown> = Promise.resolve()
  let requestHeaders: Readonly<Record<string, string>> = {}
  let finished: Promise<HttpPlan> | undefined
  /** The request as the session is opened from: after a logout, without its cookies. */
  let source: SessionRequest = req
  /** Set-Cookie lines of a logout answered in `begin`; later lines of the same name win. */
  let cleared: readonly string[] = []

  /** Calls queued and not yet settled: while none is, an open session can be used at once. */
  let pending = 0
  const settled = () => {
    pending--
  }

  /** Session calls of one request run one after another, so a save never races the final one. */
  const serial = <A>(op: () => Promise<A>): Promise<A> => {
    pending++
    const next = queue.then(op)
    queue = next.then(settled, settled)
    return next
  }

  const open = async (): Promise<Session<D>> => {
    if (state._tag === 'ready') return state.session
    if (state._tag === 'failed') throw state.error
    try {
      const session = await run(engine.start(source))
      state = { _tag: 'ready', session }
      return session
    } catch (e) {
      if (isSessionHttpError(e)) state = { _tag: 'failed', error: e }
      throw e
    }
  }

  const session = createHandle(engine, {
    serial,
    open,
    ready: () => (pending === 0 && state._tag === 'ready' ? state.session : undefined),
    id: () => (state._tag === 'ready' ? state.session.id : undefined),
  })

  /**
   * Ends the session a logout request carries. A cookie that no longer opens
   * is still cleared (through `start`, which expires rejected cookies), except
   * when it holds only other audiences: those sessions are not ours to end.
   */
  const endForLogout = async (): Promise<void> => {
    const opened = await engine.open(req)()
    if (E.isLeft(opened) && !isRejection(opened.left)) throw toHttpError(opened.left)
    if (E.isLeft(opened) && opened.left._tag === 'MissingAudience') return
    const s = E.isRight(opened) ? opened.right : await run(engine.start(req))
    // Kong destroys the whole session on a logout request (access.lua: s:destroy()).
    cleared = (await run(engine.destroy(s))).setCookie
    // With `logout.response: 'next'` the app goes on with a new, anonymous session.
    source = { ...req, headers: { ...req.headers, cookie: undefined } }
  }

  /** Like Kong, a request without a session (or remember) cookie is never a logout: nothing to end, body left unread. */
  const sendsSessionCookie = (): boolean => {
    const sent = parseCookieHeader(req.headers.cookie)
    return sent.has(o.cookie.name) || sent.has(o.cookie.rememberName)
  }

  const logoutPlan = (): HttpPlan | undefined => {
    const plan = planOf({ setCookie: [...cleared], headers: {} })
    if (o.logout.response === 'next') return undefined
    if (o.logout.response === 'redirect')
      return { ...plan, status: 303, body: '', headers: { ...plan.headers, Location: o.logout.redirectTo } }
    return { ...plan, status: 200, body: '' }
  }

  /** Whether `begin` has anything to do: a possible logout, or session headers to set up. */
  const needsBegin = (): boolean => beginNeeded(o, req)

  const begin = async (readBody: () => Promise<unknown>): Promise<HttpPlan | undefined> => {
    const check = sendsSessionCookie() ? checkLogout(o.logout, req.method, req.url) : 'none'
    const isLogout = check === 'logout' || (check === 'body' && bodyRequestsLogout(o.logout, await readBody()))
    try {
      if (isLogout) {
        await serial(endForLogout)
        return logoutPlan()
      }
      // Session headers describe the session, so a request with any configured opens it like Kong does.
      if (o.requestHeaders.length > 0 || o.responseHeaders.length > 0) {
        const s = await session.load()
        requestHeaders = requestHeadersOf(engine, s, Math.floor(clock.now() / 1000))
      }
      return undefined
    } catch (e) {
      if (isSessionHttpError(e)) return failPlan(e)
      throw e
    }
  }

  const withCleared = (o: Outcome): Outcome => ({ ...o, setCookie: mergeSetCookie(cleared, o.setCookie) })

  const settle = async (): Promise<HttpPlan> => {
    if (pending > 0) await queue
    const current = state
    switch (current._tag) {
      case 'idle':
        // Never read: check MAC and policy without decrypting, touch or rotate only when due.
        return planOf(withCleared(await run(engine.keepAlive(source))))
      case 'failed':
        // The app saw the rejection and answered; `failure` lets the binding enforce the table.
        return planOf(withCleared(EMPTY))
      case 'ready': {
        const s = current.session
        if (s.state !== 'closed' && s.changed) return planOf(withCleared(await run(engine.save(s))))
        return planOf(withCleared(engine.outcome(s)))
      }
    }
  }

  const finish = (): Promise<HttpPlan> => {
    finished ??= settle().catch((e: unknown) => {
      if (isSessionHttpError(e)) return failPlan(e)
      throw e
    })
    return finished
  }

  return {
    session,
    needsBegin,
    begin,
    get requestHeaders() {
      return requestHeaders
    },
    get failure() {
      return state._tag === 'failed' ? failPlan(state.error) : undefined
    },
    finish,
    planFor: (err) => (isSessionHttpError(err) ? failPlan(err) : undefined),
  }
}
