/** One browser against one binding app, on a fake clock and a spied store. */
import { randomBytes } from 'node:crypto'
import type { EngineDeps, SessionEvent, SessionOptions, SessionStore } from '@tessera/core'
import { setCookieLines } from '@tessera/http'
import { createMemoryStore } from '@tessera/store-memory'
import { cookieJar, fakeClock } from '@tessera/test-kit'
import request, { type Response } from 'supertest'

/** What supertest can drive: an Express app, a Koa `app.callback()`, a Node listener. */
export type HttpApp = Parameters<typeof request>[0]

/** Builds the binding's app with the contract routes mounted behind its middleware. */
export type MakeHttpApp = (options: SessionOptions, deps: EngineDeps) => HttpApp

/** The secret the contract apps use: drawn once per process, so the package ships none that an app could copy. */
export const SECRET = randomBytes(32).toString('base64url')
/** Where the contract's fake clock starts, epoch seconds. */
export const T0 = 1_700_000_000

type StoreMethod = keyof SessionStore

/** A store that counts calls, can be switched down (every call rejects) or fail some calls, and can be slowed. */
export const spiedStore = (inner: SessionStore) => {
  const calls = new Map<StoreMethod, number>()
  const done = new Map<StoreMethod, number>()
  const control: { down: boolean; delayMs: number; failing: StoreMethod[] } = { down: false, delayMs: 0, failing: [] }
  const store = Object.fromEntries(
    Object.entries(inner).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        const method = name as StoreMethod
        calls.set(method, (calls.get(method) ?? 0) + 1)
        if (control.delayMs > 0) await new Promise((r) => setTimeout(r, control.delayMs))
        if (control.down || control.failing.includes(method))
          throw new Error(`connect ECONNREFUSED 10.0.0.1:6379 (${name})`)
        const result: unknown = await (fn as (...a: unknown[]) => Promise<unknown>)(...args)
        done.set(method, (done.get(method) ?? 0) + 1)
        return result
      },
    ]),
  ) as unknown as SessionStore
  return {
    store,
    control,
    count: (m: StoreMethod) => calls.get(m) ?? 0,
    completed: (m: StoreMethod) => done.get(m) ?? 0,
    reset: () => {
      calls.clear()
      done.clear()
    },
  }
}

type Method = 'GET' | 'POST' | 'DELETE' | 'PUT'

/** Sets up an app and a browser. `server` puts sessions in a (spied) memory store. */
export const browse = (
  makeApp: MakeHttpApp,
  options: Partial<SessionOptions> = {},
  mode: { server?: boolean } = {},
) => {
  const clock = fakeClock(T0)
  const events: SessionEvent[] = []
  const memory = createMemoryStore({ sweepIntervalMs: 0, clock: clock.now })
  const spy = spiedStore(memory)
  const deps: EngineDeps = { clock, onEvent: (e) => events.push(e), store: mode.server ? spy.store : undefined }
  const app = makeApp({ secret: SECRET, ...options }, deps)
  const browser = cookieJar()

  /** One request with the browser's cookies; the response's Set-Cookie lines go back into the browser. */
  const send = async (
    method: Method,
    path: string,
    init: { form?: Record<string, string>; json?: object; to?: HttpApp } = {},
  ): Promise<Response & { setCookie: string[] }> => {
    const agent = request(init.to ?? app)
    let r =
      method === 'GET'
        ? agent.get(path)
        : method === 'POST'
          ? agent.post(path)
          : method === 'PUT'
            ? agent.put(path)
            : agent.delete(path)
    if (browser.lines.length > 0) r = r.set('Cookie', browser.lines.join('; '))
    if (init.form !== undefined) r = r.type('form').send(init.form)
    if (init.json !== undefined) r = r.send(init.json)
    const res = await r
    const setCookie = setCookieLines(res.headers['set-cookie'])
    browser.apply(setCookie)
    return Object.assign(res, { setCookie })
  }
  return { app, clock, events, spy, memory, browser, send, deps }
}

/** The 82 header bytes of a session cookie value. */
const headerOf = (value: string | undefined): Buffer => {
  if (value === undefined) throw new Error('no session cookie')
  return Buffer.from(value.slice(0, 110), 'base64url')
}

/** Session id (bytes 3..35, base64url) and creation time (bytes 35..40, little-endian) of a cookie value. */
export const decodeCookie = (value: string | undefined) => {
  const h = headerOf(value)
  return { sid: h.subarray(3, 35).toString('base64url'), creation: h.readUIntLE(35, 5) }
}

/** The Set-Cookie line for `name`, if any. */
export const lineFor = (lines: readonly string[], name: string): string | undefined =>
  lines.find((l) => l.startsWith(`${name}=`))

/** Whether the lines expire `name`. */
export const expires = (lines: readonly string[], name: string): boolean =>
  /;\s*Max-Age=0(;|$)/i.test(lineFor(lines, name) ?? '')
