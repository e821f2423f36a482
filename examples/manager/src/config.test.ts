import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const SECRET = 'Mi2Rb7Yt4Cx9Hf1Nq6Wk3Ps8Dv5Lz0Ge'

describe('loadConfig', () => {
  it('defaults to Kong Manager-style server sessions with metadata, readable timeouts and form logout', () => {
    const { session, notes } = loadConfig({ SESSION_SECRET: SECRET })
    expect(notes).toEqual([])
    expect(session).toMatchObject({
      secret: SECRET,
      storage: 'server',
      storeMetadata: true,
      remember: true,
      cookie: { name: 'admin_session', sameSite: 'Strict', secure: true, httpOnly: true },
      logout: { methods: ['POST', 'DELETE'], postArg: 'session_logout', readBody: true, response: 'redirect' },
      responseHeaders: ['timeout', 'idling-timeout', 'rolling-timeout', 'absolute-timeout'],
    })
  })

  it('reads a Kong-shaped file, keeping what the console needs and saying so', () => {
    const file = JSON.stringify({ secret: SECRET, storage: 'cookie', cookie_name: 'kong_admin', idling_timeout: 60 })
    const { session, notes } = loadConfig({ TESSERA_KONG_CONF: '/etc/kong.json' }, () => file)
    expect(session).toMatchObject({
      secret: SECRET,
      storage: 'server',
      cookie: { name: 'kong_admin' },
      idlingTimeout: 60,
    })
    expect(notes.join('\n')).toMatch(/Kong format[\s\S]*forced on/)
  })

  it('makes up a secret when none is given, and warns that sessions will not survive a restart', () => {
    const { session, notes } = loadConfig({})
    expect(typeof session.secret).toBe('string')
    expect(notes.join('\n')).toMatch(/random one/)
  })
})
