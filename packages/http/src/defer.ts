/**
 * Holding the response head until the session is settled. Like compression
 * and express-session, we wrap writeHead / write / end; unlike them the work
 * is asynchronous (a server-side save must finish before the cookie that
 * names it is sent), so the first call is queued, the session is finished,
 * and the queued calls are replayed through the original methods.
 *
 * When the session is sure to settle at once (cookie storage, no call
 * pending), only writeHead is wrapped, as on-headers does: `write`, `end` and
 * `flushHeaders` reach it through `_implicitHeader`, and nothing needs to
 * wait. Each own property added to a response whose prototype Express has
 * replaced costs V8 a new map (about 4 µs), so this saves three of them on
 * most requests (docs/decisions.md, "One wrapper per response when the
 * session settles at once"). The other three are added the moment a call
 * that may need I/O is queued, which is before the app can write.
 */
import type { ServerResponse } from 'node:http'
import { applyPlanHeaders, clearBodyHeaders } from './node-response.js'
import type { HttpPlan } from './plan.js'

const METHODS = ['writeHead', 'write', 'end', 'flushHeaders'] as const
/** What is wrapped beside writeHead when the body has to wait too. */
const BODY_METHODS = ['write', 'end', 'flushHeaders'] as const
type Method = (typeof METHODS)[number]
type Call = { readonly method: Method; readonly args: unknown[] }
type Fn = (...args: unknown[]) => unknown

/** What the deferral asks for when the head is about to be written. */
export interface HeadHooks {
  /** Settles the session; resolves to the plan (status set: replace the app's response). */
  readonly finish: () => Promise<HttpPlan>
  /** The plan at once when settling needs no I/O (the head then goes out without a wait), else undefined. */
  readonly finishSync?: () => HttpPlan | undefined
  /** The response to send instead when the app answered with the status of a session failure. */
  readonly failureFor: (status: number) => HttpPlan | undefined
  /** True when `finishSync` is sure to answer (only the head is then held); false or absent: hold everything. */
  readonly settlesAtOnce?: () => boolean
  /** Registers what to call just before a call that may leave `finishSync` without an answer is queued. */
  readonly beforeQueue?: (f: () => void) => void
}

/** Applies the headers a deferred `writeHead(status, [reason], headers)` carried, so Set-Cookie can be merged. */
const adoptWriteHeadHeaders = (res: ServerResponse, args: unknown[]): unknown[] => {
  const last = args[args.length - 1]
  if (typeof last !== 'object' || last === null) return args
  if (Array.isArray(last)) {
    const flat = (Array.isArray(last[0]) ? last.flat() : last) as unknown[]
    for (let i = 0; i + 1 < flat.length; i += 2) res.appendHeader(String(flat[i]), flat[i + 1] as string)
  } else for (const [k, v] of Object.entries(last)) res.setHeader(k, v as string | string[])
  return args.slice(0, -1)
}

/** One response's deferral. */
interface Deferral {
  readonly res: ServerResponse
  readonly hooks: HeadHooks
  /** The methods the interceptors stand in front of, each read as it is wrapped. */
  readonly original: Partial<Record<Method, Fn>>
  readonly queue: Call[]
  mode: 'waiting' | 'holding' | 'through'
  /** Whether write / end / flushHeaders are wrapped too (else the head alone is held). */
  holdsBody: boolean
}

/** Calls a wrapped method's original (only wrapped methods are ever called through here). */
const callOriginal = (d: Deferral, method: Method, args: unknown[]): unknown =>
  (d.original[method] as Fn).apply(d.res, args)

const replace = (d: Deferral, plan: HttpPlan & { status: number }): void => {
  const res = d.res
  clearBodyHeaders(res)
  applyPlanHeaders(res, plan)
  const body = plan.body ?? ''
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.statusCode = plan.status
  callOriginal(d, 'end', [body])
}

/** Sends the head and what was held, as the plan says; returns what the last held write returned. */
const release = (d: Deferral, plan: HttpPlan): unknown => {
  const res = d.res
  d.mode = 'through'
  const head = d.queue.find((c) => c.method === 'writeHead')
  const status = typeof head?.args[0] === 'number' ? head.args[0] : res.statusCode
  const failure = plan.status === undefined ? d.hooks.failureFor(status) : undefined
  const replacement = plan.status === undefined ? failure : plan
  if (replacement?.status !== undefined) return replace(d, { ...replacement, status: replacement.status })
  const headArgs = head === undefined ? undefined : adoptWriteHeadHeaders(res, head.args)
  applyPlanHeaders(res, plan)
  if (headArgs !== undefined) callOriginal(d, 'writeHead', headArgs)
  let lastWrite: unknown
  for (const call of d.queue) {
    if (call.method === 'writeHead') continue
    const result = callOriginal(d, call.method, call.args)
    if (call.method === 'write') lastWrite = result
  }
  return lastWrite
}

const releaseLater = async (d: Deferral): Promise<void> => {
  let plan: HttpPlan
  try {
    plan = await d.hooks.finish()
  } catch {
    plan = {
      status: 500,
      body: 'Session error',
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      setCookie: [],
    }
  }
  // Writers that saw `false` while we held their chunks wait for 'drain'; the socket emits it if still full.
  if (release(d, plan) === true && !d.res.writableEnded) d.res.emit('drain')
}

const settleNow = (d: Deferral): HttpPlan | undefined => {
  try {
    return d.hooks.finishSync?.()
  } catch {
    return undefined // the asynchronous path settles it, or answers 500
  }
}

const intercept = (d: Deferral, method: Method, args: unknown[]): unknown => {
  const res = d.res
  if (d.mode === 'through') return callOriginal(d, method, args)
  if (!d.holdsBody) return headAlone(d, args)
  // A repeated implicit writeHead (e.g. from compression's write) changes nothing once one is queued.
  if (method !== 'writeHead' || !d.queue.some((c) => c.method === 'writeHead')) d.queue.push({ method, args })
  if (d.mode === 'waiting') {
    const plan = settleNow(d)
    if (plan !== undefined) {
      const lastWrite = release(d, plan)
      return method === 'write' ? lastWrite === true : res
    }
    d.mode = 'holding'
    void releaseLater(d)
  }
  if (method === 'write') return false
  return res
}

/**
 * The head, when it alone is held: the session settles at once. A plan that
 * replaces the response (a programmer error such as data JSON cannot carry)
 * cannot replace a body already on its way through `end`: its status and
 * headers go out with the app's body, and no cookie.
 */
const headAlone = (d: Deferral, args: unknown[]): unknown => {
  const res = d.res
  d.mode = 'through'
  const plan = settleNow(d) ?? UNSETTLED
  const status = typeof args[0] === 'number' ? args[0] : res.statusCode
  const failure = plan.status === undefined ? d.hooks.failureFor(status) : plan
  // Headers the app passed to writeHead are set first, so that Set-Cookie merges with them.
  const rest = adoptWriteHeadHeaders(res, args)
  if (failure?.status === undefined) {
    applyPlanHeaders(res, plan)
    return callOriginal(d, 'writeHead', rest)
  }
  // The body is the app's: its Content-Type stays.
  for (const [name, value] of Object.entries(failure.headers))
    if (name.toLowerCase() !== 'content-type') res.setHeader(name, value)
  return callOriginal(d, 'writeHead', [failure.status, ...rest.slice(1)])
}

/** What a head held alone goes out as if the promise that the session settles at once was broken. */
const UNSETTLED: HttpPlan = { status: 500, headers: { 'Cache-Control': 'no-store' }, setCookie: [] }

/**
 * Defers the head of a Node response until `hooks.finish` has settled the
 * session: what the Express binding (or any `node:http` server) runs per request.
 */
export const deferHead = (res: ServerResponse, hooks: HeadHooks): void => {
  // Wrappers on this response alone (as on-headers does): no shared prototype is touched.
  const d: Deferral = { res, hooks, original: {}, queue: [], mode: 'waiting', holdsBody: false }
  const own = res as unknown as Record<Method, Fn>
  const wrap = (method: Method) => {
    d.original[method] = own[method]
    own[method] = (...args: unknown[]) => intercept(d, method, args)
  }
  const holdBody = () => {
    if (d.holdsBody || d.mode !== 'waiting') return
    d.holdsBody = true
    for (const method of BODY_METHODS) wrap(method)
  }
  wrap('writeHead')
  if (hooks.settlesAtOnce?.() === true && hooks.beforeQueue !== undefined) hooks.beforeQueue(holdBody)
  else holdBody()
}
