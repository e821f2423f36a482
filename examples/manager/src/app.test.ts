import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { storeFromUrl } from '@tessera/container'
import { createSessionEngine } from '@tessera/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { loadConfig } from './config.js'
import type { AdminData } from './session.js'
import { createUserDirectory } from './users.js'

const PASSWORD = 'app-test-password'
let server: Server
let base: string

beforeAll(async () => {
  const { session } = loadConfig({ SESSION_SECRET: 'Vj9Ad4Sm1Qx6Ht3Ke8Zr2Nf7Bw5Lc0Py' })
  const users = await createUserDirectory([
    { email: 'admin@example.com', name: 'Ada', password: PASSWORD },
    { email: 'ops@example.com', name: 'Otto', password: PASSWORD },
  ])
  const app = createApp({
    engine: createSessionEngine<AdminData>(session, { store: (await storeFromUrl('memory://')).store }),
    users,
  })
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', body: new URLSearchParams(form), headers, redirect: 'manual' })

const logIn = async (email = 'admin@example.com', headers: Record<string, string> = {}): Promise<string> => {
  const res = await post('/login', { email, password: PASSWORD }, headers)
  expect(res.status).toBe(303)
  return res.headers
    .getSetCookie()
    .map((l) => l.split(';')[0])
    .join('; ')
}

describe('console app', () => {
  it('sends anonymous visitors to the login page', async () => {
    const res = await fetch(`${base}/sessions`, { redirect: 'manual' })
    expect([res.status, res.headers.get('location')]).toEqual([303, '/login'])
  })

  it('refuses a wrong password with 401 and echoes the email escaped', async () => {
    const res = await post('/login', { email: '"><script>x</script>', password: 'nope' })
    expect(res.status).toBe(401)
    expect(res.headers.getSetCookie()).toEqual([])
    expect(await res.text()).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"')
  })

  it('refuses a state-changing POST without the session CSRF token', async () => {
    const cookie = await logIn()
    const res = await post('/sessions/end-others', { _csrf: 'forged' }, { cookie })
    expect(res.status).toBe(403)
  })

  it('refuses a POST from another origin, the login form included', async () => {
    const res = await post(
      '/login',
      { email: 'admin@example.com', password: PASSWORD },
      { origin: 'https://evil.test' },
    )
    expect(res.status).toBe(403)
  })

  it('login fixation: a cookie planted before the login leads nowhere near the new session', async () => {
    // ops@ plants its own session cookie in admin@'s browser; admin@ signs in over it.
    const planted = await logIn('ops@example.com')
    await logIn('admin@example.com', { cookie: planted })
    for (const path of ['/', '/sessions']) {
      const res = await fetch(`${base}${path}`, { headers: { cookie: planted }, redirect: 'manual' })
      expect([res.status, res.headers.get('location')]).toEqual([303, '/login'])
      expect(await res.text()).not.toContain('admin@example.com')
      expect(res.headers.getSetCookie().join()).not.toMatch(/admin_session=[A-Za-z0-9_-]{110}/)
    }
  })
})

describe('console app with its store down', () => {
  it('answers with the console’s 503 page, keeping the table’s status and Retry-After', async () => {
    // A Redis nobody listens on: a port that was free a moment ago.
    const spare = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo
        probe.close(() => resolve(port))
      })
    })
    const { session } = loadConfig({ SESSION_SECRET: 'Vj9Ad4Sm1Qx6Ht3Ke8Zr2Nf7Bw5Lc0Py' })
    const { store, close } = await storeFromUrl(`redis://127.0.0.1:${spare}?timeoutMs=300`)
    const users = await createUserDirectory([{ email: 'admin@example.com', name: 'Ada', password: PASSWORD }])
    const app = createApp({ engine: createSessionEngine<AdminData>(session, { store }), users })
    const down = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    try {
      const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}`
      const res = await fetch(`${url}/login`, {
        method: 'POST',
        body: new URLSearchParams({ email: 'admin@example.com', password: PASSWORD }),
        redirect: 'manual',
      })
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('1')
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      const page = await res.text()
      expect(page).toContain('<h1>Session store unavailable</h1>')
      expect(page).toContain('cannot be reached right now')
      expect(res.headers.getSetCookie()).toEqual([])
    } finally {
      await new Promise((resolve) => down.close(resolve))
      await close()
    }
  })
})
