// Known-answer vectors made by the unmodified lua-resty-session 4.1.5.
import { createHash } from 'node:crypto'
import {
  cookieJar,
  fakeClock,
  luaVector,
  luaVectors,
  optionsFromVector,
  requestWith,
  runLeft,
  runRight,
  scriptedRandom,
} from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'
import { createSessionEngine } from './index.js'

const engineFor = (config: Record<string, unknown>, now: number, ...sids: string[]) =>
  createSessionEngine(optionsFromVector(config), { clock: fakeClock(now), random: scriptedRandom(...sids) })

const cookieValue = (line: string) => (line.split(';')[0] ?? '').slice(line.indexOf('=') + 1)

describe('lua-resty-session 4.x vectors', () => {
  it('every vector with a plaintext decodes to its data, audience and subject', async () => {
    const withPlaintext = luaVectors.filter((v) => v.plaintext !== undefined)
    expect(withPlaintext.map((v) => v.name)).toEqual(['upstream-t01-cookies-fixed', 'v1-basic-cookie-storage'])
    for (const v of withPlaintext) {
      const config = { ...v.config, idling_timeout: 0, rolling_timeout: 0, absolute_timeout: 0 }
      const engine = engineFor(config, v.now ?? v.header.creation_time)
      const session = await runRight(engine.open(requestWith([`session=${v.cookie}`])))
      const [[data, audience, subject]] = JSON.parse(v.plaintext as string)
      expect(session.data, v.name).toEqual(data)
      expect(session.audience, v.name).toBe(audience)
      expect(session.subject, v.name).toBe(subject)
    }
  })

  describe('the upstream fixed cookie', () => {
    const v = luaVector('upstream-t01')
    const open = (config: Record<string, unknown>) =>
      runLeft(engineFor(config, 1_700_000_000).open(requestWith([`session=${v.cookie}`])))

    it('is past its absolute timeout with the default timeouts', async () => {
      expect(await open({ secret: v.config.secret, audience: v.config.audience })).toMatchObject({
        _tag: 'Expired',
        timeout: 'absolute',
      })
    })
    it('fails its MAC under another secret', async () => {
      expect(await open({ ...v.config, secret: 'another secret' })).toMatchObject({
        _tag: 'InvalidCookie',
        reason: 'mac',
      })
    })
    it('has no data for another audience', async () => {
      expect(await open({ ...v.config, audience: 'other' })).toMatchObject({
        _tag: 'MissingAudience',
        audience: 'other',
      })
    })
  })

  it('v1: re-encodes to the same Set-Cookie line, byte for byte', async () => {
    const v = luaVector('v1')
    const engine = engineFor(v.config, v.now as number, v.header.sid_b64url as string)
    const session = await runRight(engine.start(requestWith()))
    session.set('foo', 'bar')
    session.setSubject('john')
    const outcome = await runRight(engine.save(session))
    expect(outcome.setCookie).toEqual(v.set_cookie)
  })

  it('v3: decodes a chunked cookie and re-encodes the same chunks', async () => {
    const v = luaVector('v3')
    const cookies = [`session=${v.cookie}`, `session2=${v.cookie2}`, `session3=${v.cookie3}`]
    const opened = await runRight(engineFor(v.config, v.now as number).open(requestWith(cookies)))
    const big = opened.get('big') as string
    expect(big).toHaveLength(v.data_big_len as number)
    expect(createHash('sha256').update(big).digest('hex')).toBe(v.data_big_sha256_hex)

    const engine = engineFor(v.config, v.now as number, v.header.sid_b64url as string)
    const session = await runRight(engine.start(requestWith()))
    session.set('big', big)
    const outcome = await runRight(engine.save(session))
    // Split where the reference split it: name=value of each chunk at most 4096 bytes.
    expect(outcome.setCookie.map(cookieValue)).toEqual([v.cookie, v.cookie2, v.cookie3])
    for (const line of outcome.setCookie) expect(Buffer.byteLength(line.split(';')[0] ?? '')).toBeLessThanOrEqual(4096)
  })

  describe('v5: remember me', () => {
    const v = luaVector('v5')
    const sessionSid = v.header.sid_b64url as string
    const rememberSid = (v.remember_header as { sid_b64url: string }).sid_b64url

    it('decodes both the session cookie and the remember cookie', async () => {
      const engine = engineFor(v.config, v.now as number)
      const session = await runRight(engine.open(requestWith([`session=${v.cookie}`])))
      expect([session.data, session.subject]).toEqual([{ foo: 'bar' }, 'john'])
      const remembered = await runRight(engine.open(requestWith([`remember=${v.remember_cookie}`])))
      expect([remembered.data, remembered.subject]).toEqual([{ foo: 'bar' }, 'john'])
    })

    it('re-encodes the session and remember cookies (values byte for byte, Expires and Max-Age agreeing)', async () => {
      const engine = engineFor(v.config, v.now as number, sessionSid, rememberSid)
      const session = await runRight(engine.start(requestWith()))
      session.set('foo', 'bar')
      session.setSubject('john')
      const outcome = await runRight(engine.save(session))
      expect(outcome.setCookie.map(cookieValue)).toEqual((v.set_cookie as string[]).map(cookieValue))
      expect(outcome.setCookie[1]).toBe((v.set_cookie as string[])[1])
    })

    it('reopens from the remember cookie alone, issuing a new session cookie', async () => {
      const reopen = v.reopen_from_remember as { now: number; set_cookie: string[] }
      const [rememberLine, sessionLine] = reopen.set_cookie as [string, string]
      const sid = (line: string) =>
        Buffer.from(cookieValue(line).slice(0, 110), 'base64url').subarray(3, 35).toString('base64url')
      const engine = engineFor(v.config, reopen.now, sid(rememberLine), sid(sessionLine))
      const session = await runRight(engine.open(requestWith([`remember=${v.remember_cookie}`])))
      expect(session.get('foo')).toBe('bar')
      expect(session.subject).toBe('john')
      const lines = engine.outcome(session).setCookie
      const browser = cookieJar()
      browser.apply(lines)
      expect(browser.value('session')).toBe(cookieValue(sessionLine))
      expect(browser.value('remember')).toBe(cookieValue(rememberLine))
      // The reference keeps Expires at creation + 7 days while Max-Age says 7 days from now; ours agree.
      const remember = lines.find((l) => l.startsWith('remember=')) as string
      const maxAge = Number(/Max-Age=(\d+)/.exec(remember)?.[1])
      const expires = Date.parse(/Expires=([^;]+)/.exec(remember)?.[1] ?? '') / 1000
      expect(expires - reopen.now).toBe(maxAge)
    })
  })
})
