import { decodeOptions } from '@tessera/core'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { parseBody, readBody } from './body.js'
import { bodyRequestsLogout, checkLogout } from './logout.js'

const logoutOptions = (logout: Record<string, unknown> = {}) => {
  const o = decodeOptions({ secret: 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye', logout })
  if (E.isLeft(o)) throw o.left
  return o.right.logout
}

describe('logout detection (Kong session.lua)', () => {
  const o = logoutOptions()

  it.each([
    ['POST', '/x?session_logout', 'logout'],
    ['DELETE', '/x?session_logout=', 'logout'],
    ['delete', '/x?a=1&session_logout=false', 'logout'],
    ['POST', '/x', 'none'],
    ['GET', '/x?session_logout', 'none'],
    ['PUT', '/x?session_logout', 'none'],
    [undefined, '/x?session_logout', 'none'],
  ] as const)('%s %s is %s by default', (method, url, expected) => {
    expect(checkLogout(o, method, url)).toBe(expected)
  })

  it('asks for the body only with readBody, and only for a logout method', () => {
    const reading = logoutOptions({ readBody: true })
    expect(checkLogout(reading, 'POST', '/x')).toBe('body')
    expect(checkLogout(reading, 'GET', '/x')).toBe('none')
    expect(checkLogout(reading, 'POST', '/x?session_logout')).toBe('logout')
  })

  it('honours configured methods and argument names', () => {
    const custom = logoutOptions({ methods: ['GET'], queryArg: 'bye' })
    expect(checkLogout(custom, 'GET', '/?bye')).toBe('logout')
    expect(checkLogout(custom, 'POST', '/?bye')).toBe('none')
    expect(checkLogout(custom, 'GET', '/?session_logout')).toBe('none')
  })

  it('finds the post argument in form and JSON bodies like Lua truthiness', () => {
    expect(bodyRequestsLogout(o, parseBody('application/x-www-form-urlencoded', 'session_logout='))).toBe(true)
    expect(bodyRequestsLogout(o, parseBody('application/json; charset=utf-8', '{"session_logout":1}'))).toBe(true)
    expect(bodyRequestsLogout(o, { session_logout: false })).toBe(false)
    expect(bodyRequestsLogout(o, { session_logout: null })).toBe(false)
    expect(bodyRequestsLogout(o, { other: 1 })).toBe(false)
    expect(bodyRequestsLogout(o, JSON.parse('{"__proto__":{"session_logout":1}}'))).toBe(false)
    expect(bodyRequestsLogout(o, undefined)).toBe(false)
    expect(parseBody('text/plain', 'session_logout=1')).toBeUndefined()
    expect(parseBody('application/json', '{bad')).toBeUndefined()
  })

  it('reads a small body and refuses one over the limit', async () => {
    async function* stream(parts: string[]) {
      for (const p of parts) yield Buffer.from(p)
    }
    expect(await readBody(stream(['session_', 'logout=1']), 'application/x-www-form-urlencoded')).toEqual({
      session_logout: '1',
    })
    expect(await readBody(stream(['x'.repeat(10), 'y']), 'application/x-www-form-urlencoded', 10)).toBeUndefined()
  })
})
