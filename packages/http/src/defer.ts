/**
 * Holding the response head until the session is settled. Like compression
 * and express-session, we wrap writeHead / write / end; unlike them the work
 * is asynchronous (a server-side save must finish before the cookie that
 * names it is sent), so the first call is queued, the session is finished,
 * and the queued calls are replayed through the original methods.
 */
import type { ServerResponse } from 'node:http'
import { applyPlanHeaders, clearBodyHeaders } from './node-response.js'
import type { HttpPlan } from './plan.js'

const METHODS = ['writeHead', 'write', 'end', 'flushHeaders'] as const
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

const methodsOf = (o: object): Record<Method, Fn> => {
  const m = o as Record<Method, Fn>
  return { writeHead: m.writeHead, write: m.write, end: m.end, flushHeaders: m.flushHeaders }
}

/** One response's deferral. */
interface Deferral {
  readonly res: ServerResponse
  readonly hooks: HeadHooks
  /** The methods the interceptors stand in front of. */
  readonly original: Readonly<Record<Method, Fn>>
  readonly queue: Call[]
  mode: 'waiting' | 'holding' | 'through'
}

const replace = (d: Deferral, plan: HttpPlan & { status: number }): void => {
  const res = d.res
  clearBodyHeaders(res)
  applyPlanHeaders(res, plan)
  const body = plan.body ?? ''
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.statusCode = plan.status
  d.original.end.call(res, body)
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
  if (headArgs !== undefined) d.original.writeHead.apply(res, headArgs)
  let lastWrite: unknown
  for (const call of d.queue) {
    if (call.method === 'writeHead') continue
    const result = d.original[call.method].apply(res, call.args)
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
  if (d.mode === 'through') return d.original[method].apply(res, args)
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
 * Defers the head of a Node response until `hooks.finish` has settled the
 * session: what the Express binding (or any `node:http` server) runs per request.
 */
export const deferHead = (res: ServerResponse, hooks: HeadHooks): void => {
  // Wrappers on this response alone (as on-headers does): no shared prototype is touched.
  const d: Deferral = { res, hooks, original: methodsOf(res), queue: [], mode: 'waiting' }
  const own = res as unknown as Record<Method, Fn>
  for (const method of METHODS) own[method] = (...args: unknown[]) => intercept(d, method, args)
}
