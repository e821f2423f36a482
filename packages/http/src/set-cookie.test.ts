import { describe, expect, it } from 'vitest'
import { HTTP_OUTCOMES, httpOutcomeOf, INVALID_COOKIE_OUTCOMES } from './outcomes.js'
import { cookieNameOf, mergeSetCookie, setCookieLines } from './set-cookie.js'

describe('Set-Cookie merging', () => {
  it('reads the cookie name of a line', () => {
    expect(cookieNameOf('session=abc; Path=/')).toBe('session')
    expect(cookieNameOf('session2=; Max-Age=0')).toBe('session2')
    expect(cookieNameOf('flag; Path=/')).toBe('flag')
  })

  it('keeps the app cookies, replaces a session cookie the app also set, appends ours once', () => {
    const merged = mergeSetCookie(['theme=dark; Path=/', 'session=stale; Path=/'], ['session=new; Path=/'])
    expect(merged).toEqual(['theme=dark; Path=/', 'session=new; Path=/'])
  })

  it('leaves the app lines alone when the session sets nothing', () => {
    expect(mergeSetCookie(['a=1'], [])).toEqual(['a=1'])
  })

  it('normalises what getHeader returns', () => {
    expect(setCookieLines(undefined)).toEqual([])
    expect(setCookieLines('a=1')).toEqual(['a=1'])
    expect(setCookieLines(['a=1', 'b=2'])).toEqual(['a=1', 'b=2'])
  })
})

describe('the HTTP outcome table', () => {
  it('sends rejections on anonymously, clearing the cookie except for another audience', () => {
    expect(httpOutcomeOf({ _tag: 'MissingCookie' })).toEqual({ _tag: 'Anonymous', clearCookie: false })
    expect(httpOutcomeOf({ _tag: 'InvalidCookie', reason: 'mac' })).toEqual({ _tag: 'Anonymous', clearCookie: true })
    expect(httpOutcomeOf({ _tag: 'Expired', timeout: 'idle', remember: false })._tag).toBe('Anonymous')
    expect(httpOutcomeOf({ _tag: 'Revoked', reason: 'logout' })).toEqual({ _tag: 'Anonymous', clearCookie: true })
    expect(httpOutcomeOf({ _tag: 'MissingAudience', audience: 'a' })).toEqual({ _tag: 'Anonymous', clearCookie: false })
  })

  it('clears an invalid cookie only when it is known dead; one that decrypted but cannot be read is left', () => {
    const cleared = Object.fromEntries(
      Object.entries(INVALID_COOKIE_OUTCOMES).map(([reason, o]) => [reason, o._tag === 'Anonymous' && o.clearCookie]),
    )
    expect(cleared).toEqual({
      header: true,
      size: true,
      type: true,
      flags: true,
      mac: true,
      future: true,
      chunk: true,
      payload: true,
      decrypt: true,
      record: true,
      kind: true,
      inflate: false,
      json: false,
      data: false,
      busy: false,
    })
    expect(httpOutcomeOf({ _tag: 'InvalidCookie', reason: 'data' })).toEqual({ _tag: 'Anonymous', clearCookie: false })
  })

  it('answers server-side failures with a status and a short body', () => {
    const statuses = Object.fromEntries(
      Object.entries(HTTP_OUTCOMES).flatMap(([tag, o]) => (o._tag === 'Fail' ? [[tag, o.status]] : [])),
    )
    expect(statuses).toEqual({
      StoreUnavailable: 503,
      Conflict: 503,
      SessionLimit: 403,
      TooLarge: 500,
      UnsavableData: 500,
      InvalidData: 500,
      Closed: 500,
      UpstreamReadOnly: 500,
      ConfigError: 500,
    })
    for (const o of Object.values(HTTP_OUTCOMES)) if (o._tag === 'Fail') expect(o.body.length).toBeLessThan(40)
  })
})
