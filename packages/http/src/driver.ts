/**
 * The request driver both bindings share: holds one request's lazily opened
 * session, answers logout requests, and at the end says what the response
 * must carry. Bindings only translate their request and response to it.
 */

import {
  createSessionEngine,
  type EngineDeps,
  isRejection,
  type Outcome,
  type Session,
  type SessionData,
  type SessionEngine,
  type SessionError,
  type SessionOptions,
  type SessionRequest,
} from '@tessera/core'
import {
  bindingNeeds,
  isSessionEngine,
  NOTHING,
  parseCookieHeader,
  type SyncSeam,
  syncSeamOf,
} from '@tessera/core/internal'
import * as E from 'fp-ts/lib/Either.js'
import { createHandle, type HandleAccess, type HttpSession } from './handle.js'
import { requestHeaderNames, requestHeadersOf } from './headers.js'
import { bodyRequestsLogout, checkLogout } from './logout.js'
import { isSessionHttpError, type SessionHttpError } from './outcomes.js'
import { type FailurePage, failPlan, type HttpPlan, planOf, run, toHttpError } from './plan.js'
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
  /** Runs after the app, before the head is sent: saves, touches or keeps alive. Idempotent. */
  finish(): Promise<HttpPlan>
  /** `finish` at once when it needs no I/O and no call is pending; undefined otherwise (use `finish`). */
  finishSync(): HttpPlan | undefined
  /** The plan for an error the app threw, when it is a session failure. */
  planFor(err: unknown): HttpPlan | undefined
  /**
   * The plan of the server-side failure the Promise API reported during this
   * request, when the app answered with its status (the table's answer then
   * replaces the app's).
   */
  failureFor(status: number): HttpPlan | undefined
}

/** How the HTTP edge answers, beyond the engine's options. */
export interface HttpOptions {
  /** The body of the response to a server-side session failure (503 and the like); the table's short text by default. */
  readonly failurePage?: FailurePage | undefined
}

/** What a binding takes beside the options: the engine's dependencies, and the HTTP edge's own. */
export interface BindingDeps extends EngineDeps, HttpOptions {}

type State<D extends SessionData> =
  | { readonly _tag: 'idle' }
  | { readonly _tag: 'ready'; readonly session: Session<D> }
  | { readonly _tag: 'failed'; readonly error: SessionHttpError }

/** What a binding sets up once: the engine (given, or made from options), and what it reads per request. */
export const bindingSetup = <D extends SessionData>(options: SessionOptions | SessionEngine<D>, deps: BindingDeps) => {
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
  const method = (req.method ?? 'GET').toUpperCase()
  return !o.upstream && (o.logout.methods as readonly string[]).includes(method) && sendsSessionCookie(o, req)
}

/** Like Kong, a request without a session (or remember) cookie is never a logout: nothing to end, body left unread. */
const sendsSessionCookie = (o: SessionEngine['options'], req: SessionRequest): boolean => {
  const sent = parseCookieHeader(req.headers.cookie)
  return sent.has(o.cookie.name) || sent.has(o.cookie.rememberName)
}

/**
 * Creates the driver for one request.
 * @example
 * const http = createHttpSession(engine, { method: 'GET', url: '/', headers: req.headers })
 * const early = await http.begin(async () => undefined)
 * // … the app runs with http.session …
 * const plan = http.finishSync() ?? (await http.finish())
 */
export const createHttpSession = <D extends SessionData>(
  engine: SessionEngine<D>,
  req: SessionRequest,
  http: HttpOptions = {},
): HttpSessionDriver<D> => new RequestSession(engine, req, http.failurePage)

const IDLE = { _tag: 'idle' } as const
const NONE: readonly string[] = []
const NO_HEADERS: Readonly<Record<string, string>> = {}

/**
 * One request's session. A class with prototype methods, so a request pays
 * for one object (and its handle), not a closure per operation. In cookie
 * storage the session opens and saves synchronously (no I/O): calls on it
 * resolve at once.
 */
class RequestSession<D extends SessionData> implements HttpSessionDriver<D>, HandleAccess<D> {
  readonly session: HttpSession<D>
  private state: State<D> = IDLE
  /** The last queued call's settling, while any call is unsettled: without one, an open session can be used at once. */
  private queue: Promise<void> | undefined
  private headers: Readonly<Record<string, string>> = NO_HEADERS
  private finished: Promise<HttpPlan> | undefined
  /** The request as the session is opened from: after a logout, without its cookies. */
  private source: SessionRequest
  /** Set-Cookie lines of a logout answered in `begin`; later lines of the same name win. */
  private cleared: readonly string[] = NONE
  /** Cookie storage settles without I/O through the engine's synchronous seam. */
  readonly sync: SyncSeam<D>

  constructor(
    private readonly engine: SessionEngine<D>,
    private readonly req: SessionRequest,
    private readonly page: FailurePage | undefined,
  ) {
    this.source = req
    this.sync = syncSeamOf(engine)
    this.session = createHandle(engine, this)
  }

  get requestHeaders(): Readonly<Record<string, string>> {
    return this.headers
  }

  /** Session calls of one request run one after another, so a save never races the final one. */
  serial<A>(op: () => Promise<A>): Promise<A> {
    const next = this.queue === undefined ? op() : this.queue.then(op)
    // Once the last queued call settles, nothing is pending.
    const settled = (): void => {
      if (this.queue === tail) this.queue = undefined
    }
    const tail: Promise<void> = next.then(settled, settled)
    this.queue = tail
    return next
  }

  async open(): Promise<Session<D>> {
    const st = this.state
    if (st._tag === 'ready') return st.session
    if (st._tag === 'failed') throw st.error
    try {
      const session = await run(this.engine.start(this.source))
      this.state = { _tag: 'ready', session }
      return session
    } catch (e) {
      if (isSessionHttpError(e)) this.state = { _tag: 'failed', error: e }
      throw e
    }
  }

  /** The open session when no call is queued (opening it now when that needs no I/O). */
  ready(): Session<D> | undefined {
    if (this.queue !== undefined) return undefined
    const st = this.state
    if (st._tag === 'ready') return st.session
    if (st._tag === 'failed') return undefined
    const started = this.sync.start(this.source)
    if (started === undefined) return undefined
    if (E.isLeft(started)) {
      this.state = { _tag: 'failed', error: toHttpError(started.left) }
      return undefined
    }
    this.state = { _tag: 'ready', session: started.right }
    return started.right
  }

  id(): string | undefined {
    return this.state._tag === 'ready' ? this.state.session.id : undefined
  }

  /**
   * Ends the session a logout request carries. A cookie that no longer opens
   * is still cleared when it is known dead (through `start`, which expires
   * those); one this app cannot judge (other audiences only, data its schema
   * refuses) is left alone: those sessions are not ours to end.
   */
  private async endForLogout(): Promise<void> {
    const { engine, req } = this
    const opened = await engine.open(req)()
    if (E.isLeft(opened) && !isRejection(opened.left)) throw toHttpError(opened.left)
    const s = E.isRight(opened) ? opened.right : await run(engine.start(req))
    // Kong destroys the whole session on a logout request (access.lua: s:destroy()).
    this.cleared = (await run(engine.destroy(s))).setCookie
    // With `logout.response: 'next'` the app goes on with a new, anonymous session.
    this.source = { ...req, headers: { ...req.headers, cookie: undefined } }
  }

  private logoutPlan(): HttpPlan | undefined {
    const o = this.engine.options
    const plan = planOf({ setCookie: [...this.cleared], headers: {} })
    if (o.logout.response === 'next') return undefined
    if (o.logout.response === 'redirect')
      return { ...plan, status: 303, body: '', headers: { ...plan.headers, Location: o.logout.redirectTo } }
    return { ...plan, status: 200, body: '' }
  }

  needsBegin(): boolean {
    return beginNeeded(this.engine.options, this.req)
  }

  async begin(readBody: () => Promise<unknown>): Promise<HttpPlan | undefined> {
    const o = this.engine.options
    // Upstream mode: logout requests are the gateway's (it answers them before they get here).
    const check =
      !o.upstream && sendsSessionCookie(o, this.req) ? checkLogout(o.logout, this.req.method, this.req.url) : 'none'
    const isLogout = check === 'logout' || (check === 'body' && bodyRequestsLogout(o.logout, await readBody()))
    try {
      if (isLogout) {
        await this.serial(() => this.endForLogout())
        return this.logoutPlan()
      }
      // Session headers describe the session, so a request with any configured opens it like Kong does.
      if (o.requestHeaders.length > 0 || o.responseHeaders.length > 0) {
        const s = await this.session.load()
        this.headers = requestHeadersOf(this.engine, s, this.sync.nowSeconds())
      }
      return undefined
    } catch (e) {
      if (isSessionHttpError(e)) return failPlan(e, this.page)
      throw e
    }
  }

  private withCleared(o: Outcome): HttpPlan {
    return planOf(this.cleared.length === 0 ? o : { ...o, setCookie: mergeSetCookie(this.cleared, o.setCookie) })
  }

  private planOfResult(r: E.Either<SessionError, Outcome>): HttpPlan {
    return E.isLeft(r) ? failPlan(toHttpError(r.left), this.page) : this.withCleared(r.right)
  }

  finishSync(): HttpPlan | undefined {
    if (this.finished !== undefined || this.queue !== undefined) return undefined
    const plan = this.planAtOnce()
    if (plan !== undefined) this.finished = Promise.resolve(plan)
    return plan
  }

  /** The plan when settling needs no I/O, else undefined: the one place the three states are told apart. */
  private planAtOnce(): HttpPlan | undefined {
    const st = this.state
    // The app saw the rejection and answered; `failureFor` lets the binding enforce the table.
    if (st._tag === 'failed') return this.withCleared(NOTHING)
    // Never read: check MAC and policy without decrypting, touch or rotate only when due.
    const r =
      st._tag === 'idle'
        ? this.sync.keepAlive(this.source)
        : st.session.state !== 'closed' && st.session.changed
          ? this.sync.save(st.session)
          : E.right(this.engine.outcome(st.session))
    return r === undefined ? undefined : this.planOfResult(r)
  }

  private async settle(): Promise<HttpPlan> {
    if (this.queue !== undefined) await this.queue
    const plan = this.planAtOnce()
    if (plan !== undefined) return plan
    // What is left needs I/O: a rotation through a store, or a save to one.
    const st = this.state
    if (st._tag === 'ready') return this.withCleared(await run(this.engine.save(st.session)))
    return this.withCleared(await run(this.engine.keepAlive(this.source)))
  }

  finish(): Promise<HttpPlan> {
    this.finished ??= this.settle().catch((e: unknown) => {
      if (isSessionHttpError(e)) return failPlan(e, this.page)
      throw e
    })
    return this.finished
  }

  planFor(err: unknown): HttpPlan | undefined {
    return isSessionHttpError(err) ? failPlan(err, this.page) : undefined
  }

  failureFor(status: number): HttpPlan | undefined {
    return this.state._tag === 'failed' && this.state.error.status === status
      ? failPlan(this.state.error, this.page)
      : undefined
  }
}
