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

type Call = { readonly method: 'writeHead' | 'write' | 'end' | 'flushHeaders'; readonly args: unknown[] }
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

/**
 * Defers the head of a Node response until `hooks.finish` has settled the
 * session: what the Express binding (or any `node:http` server) runs per request.
 */
export const deferHead = (res: ServerResponse, hooks: HeadHooks): void => {
  const original: Record<Call['method'], Fn> = {
    writeHead: res.writeHead as Fn,
    write: res.write as Fn,
    end: res.end as Fn,
    flushHeaders: res.flushHeaders as Fn,
  }
  const queue: Call[] = []
  let mode: 'waiting' | 'holding' | 'through' = 'waiting'

  const replace = (plan: HttpPlan & { status: number }) => {
    clearBodyHeaders(res)
    applyPlanHeaders(res, plan)
    const body = plan.body ?? ''
    res.setHeader('Content-Length', Buffer.byteLength(body))
    res.statusCode = plan.status
    original.end.call(res, body)
  }

  /** Sends the head and what was held, as the plan says; returns what the last held write returned. */
  const release = (plan: HttpPlan): unknown => {
    mode = 'through'
    const head = queue.find((c) => c.method === 'writeHead')
    const status = typeof head?.args[0] === 'number' ? head.args[0] : res.statusCode
    const failure = plan.status === undefined ? hooks.failureFor(status) : undefined
    const replacement = plan.status === undefined ? failure : plan
    if (replacement?.status !== undefined) return replace({ ...replacement, status: replacement.status })
    const headArgs = head === undefined ? undefined : adoptWriteHeadHeaders(res, head.args)
    applyPlanHeaders(res, plan)
    if (headArgs !== undefined) original.writeHead.apply(res, headArgs)
    let lastWrite: unknown
    for (const call of queue) {
      if (call.method === 'writeHead') continue
      const result = original[call.method].apply(res, call.args)
      if (call.method === 'write') lastWrite = result
    }
    return lastWrite
  }

  const releaseLater = async () => {
    let plan: HttpPlan
    try {
      plan = await hooks.finish()
    } catch {
      plan = {
        status: 500,
        body: 'Session error',
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        setCookie: [],
      }
    }
    // Writers that saw `false` while we held their chunks wait for 'drain'; the socket emits it if still full.
    if (release(plan) === true && !res.writableEnded) res.emit('drain')
  }

  const settleNow = (): HttpPlan | undefined => {
    try {
      return hooks.finishSync?.()
    } catch {
      return undefined // the asynchronous path settles it, or answers 500
    }
  }

  const wrap = (method: Call['method']): Fn =>
    function (this: ServerResponse, ...args: unknown[]) {
      if (mode === 'through') return original[method].apply(this, args)
      // A repeated implicit writeHead (e.g. from compression's write) changes nothing once one is queued.
      if (method !== 'writeHead' || !queue.some((c) => c.method === 'writeHead')) queue.push({ method, args })
      if (mode === 'waiting') {
        const plan = settleNow()
        if (plan !== undefined) {
          const lastWrite = release(plan)
          return method === 'write' ? lastWrite === true : this
        }
        mode = 'holding'
        void releaseLater()
      }
      if (method === 'write') return false
      return this
    }

  res.writeHead = wrap('writeHead') as ServerResponse['writeHead']
  res.write = wrap('write') as ServerResponse['write']
  res.end = wrap('end') as ServerResponse['end']
  res.flushHeaders = wrap('flushHeaders') as ServerResponse['flushHeaders']
}
