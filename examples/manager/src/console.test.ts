import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSessionEngine, type SessionStore } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createActivity } from './activity.js'
import { createApp } from './app.js'
import { loadConfig } from './config.js'
import type { AdminData } from './session.js'
import { createUserDirectory } from './users.js'

const PASSWORD = 'console-test-password'
const SECRET = 'Rk7Wd2Mq9Zt4Bx1Lf6Jn3Gv8Hc5Ps0Ye'

/** The console on its own store, with the activity log wired to the engine as main.ts does. */
const startConsole = async (store: SessionStore) => {
  const { session } = loadConfig({ SESSION_SECRET: SECRET })
  const activity = createActivity()
  const users = await createUserDirectory([
    { email: 'admin@example.com', name: 'Ada', password: PASSWORD },
    { email: 'ops@example.com', name: 'Otto', password: PASSWORD },
  ])
  const engine = createSessionEngine<AdminData>(session, { store, onEvent: activity.onEvent })
  const app = createApp({ engine, users, activity })
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

let server: Server
let base: string
beforeAll(async () => {
  ;({ server, base } = await startConsole(createMemoryStore()))
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', body: new URLSearchParams(form), headers, redirect: 'manual' })
const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((l) => l.split(';')[0])
    .join('; ')
const logIn = async (email: string, headers: Record<string, string> = {}) => {
  const res = await post('/login', { email, password: PASSWORD }, headers)
  expect(res.status).toBe(303)
  return cookiesOf(res)
}
const csrfIn = (text: string) => /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? ''

describe('login throttling', () => {
  it('locks an account after 5 wrong passwords: the right one is refused too, with a clear message', async () => {
    const client = { 'x-test': 'one' }
    for (let i = 0; i < 5; i++) {
      expect((await post('/login', { email: 'ops@example.com', password: `wrong-${i}` }, client)).status).toBe(401)
    }
    const locked = await post('/login', { email: 'ops@example.com', password: PASSWORD })
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(locked.headers.getSetCookie()).toEqual([])
    expect(await locked.text()).toContain('Too many failed sign-ins for this account. Try again in')
    // The other account is not locked by it.
    await logIn('admin@example.com')
  }, 60_000)

  it('locks a client address after 20 wrong passwords across accounts', async () => {
    const c = await startConsole(createMemoryStore())
    const at = (form: Record<string, string>) =>
      fetch(`${c.base}/login`, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' })
    try {
      for (let i = 0; i < 20; i++)
        expect((await at({ email: `nobody-${i}@example.com`, password: 'x' })).status).toBe(401)
      const locked = await at({ email: 'admin@example.com', password: PASSWORD })
      expect(locked.status).toBe(429)
      expect(await locked.text()).toContain('Too many failed sign-ins from this address.')
    } finally {
      await new Promise((resolve) => c.server.close(resolve))
    }
  }, 90_000)
})

describe('console pages', () => {
  let server2: Server
  let base2: string
  beforeAll(async () => {
    ;({ server: server2, base: base2 } = await startConsole(createMemoryStore()))
  })
  afterAll(() => new Promise((resolve) => server2.close(resolve)))
  const at = (path: string, cookie: string, init: RequestInit = {}) =>
    fetch(`${base2}${path}`, { ...init, headers: { cookie, ...init.headers }, redirect: 'manual' })
  const login = async (remember: boolean, email = 'admin@example.com') =>
    cookiesOf(
      await fetch(`${base2}/login`, {
        method: 'POST',
        body: new URLSearchParams({
          email,
          password: PASSWORD,
          ...(remember ? { remember: '1' } : {}),
        }),
        redirect: 'manual',
      }),
    )

  it('lists each session with remember-me, last active and the idle expiry the overview shows', async () => {
    const laptop = await login(true)
    await login(false)
    const text = await (await at('/sessions', laptop)).text()
    expect(text).toContain('<th>Last active</th><th>Idles out</th><th>Remember me</th>')
    const rows = text.split('data-session').slice(1)
    expect(rows).toHaveLength(2)
    expect(rows.map((r) => />(yes|no)<\/td>/.exec(r)?.[1]).sort()).toEqual(['no', 'yes'])
    // Idles out = last active + the 15-minute idling timeout (not the record's one-hour life).
    for (const r of rows) {
      const [, last, idle] = [...r.matchAll(/datetime="([^"]+)"/g)].map((m) => Date.parse(m[1] ?? ''))
      expect(((idle ?? 0) - (last ?? 0)) / 1000).toBe(900)
    }
  })

  it('tells a browser why it was signed out: ended from another device, or the password changed', async () => {
    // ops@ has no other sessions on this console: the one "End this session" ends is the phone's.
    const laptop = await login(false, 'ops@example.com')
    const phone = await login(false, 'ops@example.com')
    const sessions = await (await at('/sessions', laptop)).text()
    const key = /name="key" value="([^"]+)"/.exec(sessions)?.[1] ?? ''
    const ended = await at('/sessions/end', laptop, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrfIn(sessions), key }),
    })
    expect(ended.headers.get('location')).toBe('/sessions?notice=ended')
    expect((await at('/', phone)).headers.get('location')).toBe('/login?why=ended-by-you')
    expect((await at('/', laptop)).status).toBe(200)
    const notice = await (await fetch(`${base2}/login?why=ended-by-you`)).text()
    expect(notice).toContain('You were signed out: this session was ended from another device')

    const a = await login(false)
    const b = await login(false)
    const form = await (await at('/password', a)).text()
    const changed = await at('/password', a, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrfIn(form), current: PASSWORD, next: PASSWORD, confirm: PASSWORD }),
    })
    expect(changed.headers.get('location')).toBe('/sessions?notice=password-changed')
    expect((await at('/', b)).headers.get('location')).toBe('/login?why=password-changed')
    expect(await (await fetch(`${base2}/login?why=password-changed`)).text()).toContain(
      'the password was changed on another device',
    )
  })

  it('shows the activity: sign-ins, a failed sign-in, ended sessions and a logout', async () => {
    await fetch(`${base2}/login`, {
      method: 'POST',
      body: new URLSearchParams({ email: 'admin@example.com', password: 'wrong' }),
    })
    const cookie = await login(false)
    await at('/logout', cookie, { method: 'POST', body: new URLSearchParams({ session_logout: '1' }) })
    const viewer = await login(false)
    const text = await (await at('/activity', viewer)).text()
    for (const kind of ['signed-in', 'failed-sign-in', 'ended-others', 'ended']) {
      expect(text, kind).toContain(`data-activity="${kind}"`)
    }
    expect(text).toContain('Failed sign-in')
    expect(text).toContain('admin@example.com')
  })
})
