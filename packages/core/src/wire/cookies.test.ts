import { describe, expect, it } from 'vitest'
import {
  chunkLines,
  chunkName,
  cookieLine,
  expireLine,
  fitsCookieLine,
  httpDate,
  joinChunks,
  MAX_CHUNKS,
} from './cookies.js'

const NAME = 'session'
const ATTRIBUTES = '; Path=/; HttpOnly'
const HEADER = 'H'.repeat(110)
// Each name=value holds 4096 bytes, the attributes not counted: the first carries `session=`, the
// header and 3978 payload characters, each later one `sessionN=` and 4087 characters.
const FIRST_ROOM = 4096 - 'session='.length - 110
const LATER_ROOM = 4096 - 'session2='.length
const NINE_COOKIES = FIRST_ROOM + 8 * LATER_ROOM

/** A payload whose characters say where they are, so a misplaced slice shows. */
const payloadOf = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(65 + (i % 26))).join('')
const cookieValue = (line: string) => (line.split(';')[0] ?? '').slice(line.indexOf('=') + 1)

describe('chunkName', () => {
  it('is the name for the first chunk, then name2 … name9', () => {
    expect([1, 2, 3, 9].map((i) => chunkName(NAME, i))).toEqual(['session', 'session2', 'session3', 'session9'])
    expect(chunkName('other', 1)).toBe('other')
    expect(chunkName('other', 4)).toBe('other4')
  })

  it('numbers chunks past the ninth the same way', () => {
    expect(chunkName(NAME, 10)).toBe('session10')
    expect(chunkName('other', 12)).toBe('other12')
  })
})

describe('chunkLines', () => {
  it('puts a small session in one line with its header', () => {
    const chunked = chunkLines(NAME, HEADER, 'payload', ATTRIBUTES)
    expect(chunked).toEqual({ lines: [`session=${HEADER}payload${ATTRIBUTES}`], firstChunk: 'payload' })
  })

  it('fills each name=value to exactly 4096 bytes before starting the next', () => {
    const payload = payloadOf(FIRST_ROOM + LATER_ROOM + 5)
    const chunked = chunkLines(NAME, HEADER, payload, ATTRIBUTES)
    const lines = chunked?.lines ?? []
    const pairBytes = (l: string) => Buffer.byteLength(l) - ATTRIBUTES.length
    expect(lines.map(pairBytes)).toEqual([4096, 4096, 'session3='.length + 5])
    expect(lines.map((l) => l.slice(0, l.indexOf('=')))).toEqual(['session', 'session2', 'session3'])
    expect(chunked?.firstChunk).toBe(payload.slice(0, FIRST_ROOM))
    expect(lines.map(cookieValue).join('')).toBe(HEADER + payload)
    for (const line of lines) expect(line.endsWith(ATTRIBUTES)).toBe(true)
  })

  it('a payload that fills the first line exactly takes one line', () => {
    const chunked = chunkLines(NAME, HEADER, payloadOf(FIRST_ROOM), ATTRIBUTES)
    expect(chunked?.lines.length).toBe(1)
    expect(chunkLines(NAME, HEADER, payloadOf(FIRST_ROOM + 1), ATTRIBUTES)?.lines).toHaveLength(2)
  })

  it('uses all nine cookies, and refuses one character more', () => {
    const payload = payloadOf(NINE_COOKIES)
    const chunked = chunkLines(NAME, HEADER, payload, ATTRIBUTES)
    expect(chunked?.lines.length).toBe(MAX_CHUNKS)
    expect(chunked?.lines.map(cookieValue).join('') === HEADER + payload).toBe(true)
    expect(chunkLines(NAME, HEADER, payloadOf(NINE_COOKIES + 1), ATTRIBUTES) === undefined).toBe(true)
  })

  it('refuses a name too long to leave room for a value, whatever the attributes', () => {
    const long = 'n'.repeat(4096 - 1 - 110)
    expect(chunkLines(long, HEADER, 'p', '')).toBeUndefined()
    const justRoom = 'n'.repeat(4096 - 1 - 110 - 1)
    expect(chunkLines(justRoom, HEADER, '', ATTRIBUTES)?.lines.length).toBe(1)
    expect(chunkLines(justRoom, HEADER, 'p', ATTRIBUTES)?.lines).toEqual([`${justRoom}=${HEADER}p${ATTRIBUTES}`])
    expect(chunkLines(justRoom, HEADER, 'pq', ATTRIBUTES)?.lines.length).toBe(2)
  })

  it('an empty payload is the header alone (server storage)', () => {
    expect(chunkLines(NAME, HEADER, '', ATTRIBUTES)).toEqual({
      lines: [`session=${HEADER}${ATTRIBUTES}`],
      firstChunk: '',
    })
  })
})

describe('joinChunks', () => {
  /** The request cookies a browser sends back for a payload split as chunkLines splits it. */
  const sentBack = (payload: string) => {
    const lines = chunkLines(NAME, HEADER, payload, ATTRIBUTES)?.lines ?? []
    return new Map(lines.map((l) => [l.slice(0, l.indexOf('=')), cookieValue(l)]))
  }

  it('joins what chunkLines split, up to nine cookies', () => {
    for (const n of [10, FIRST_ROOM + 1, NINE_COOKIES]) {
      const payload = payloadOf(n)
      const cookies = sentBack(payload)
      const first = (cookies.get(NAME) as string).slice(110)
      const joined = joinChunks(cookies, NAME, first, n)
      expect(joined?.payload === payload).toBe(true)
      expect(joined?.count).toBe(cookies.size)
    }
  })

  it('never reads a tenth cookie', () => {
    const payload = payloadOf(NINE_COOKIES)
    const cookies = sentBack(payload)
    cookies.set('session10', 'XYZ')
    const first = (cookies.get(NAME) as string).slice(110)
    expect(joinChunks(cookies, NAME, first, NINE_COOKIES + 3) === undefined).toBe(true)
    expect(joinChunks(cookies, NAME, first, NINE_COOKIES)?.count).toBe(9)
  })

  it('refuses a missing or empty chunk', () => {
    const cookies = sentBack(payloadOf(FIRST_ROOM + LATER_ROOM + 5))
    const first = (cookies.get(NAME) as string).slice(110)
    const size = FIRST_ROOM + LATER_ROOM + 5
    expect(joinChunks(cookies, NAME, first, size)?.count).toBe(3)
    const without2 = new Map([...cookies].filter(([n]) => n !== 'session2'))
    expect(joinChunks(without2, NAME, first, size) === undefined).toBe(true)
    expect(joinChunks(new Map([...cookies, ['session3', '']]), NAME, first, size) === undefined).toBe(true)
  })

  it('refuses a missing second chunk, whatever size the header says', () => {
    const cookies = new Map([['session', `${HEADER}abc`]])
    for (let size = 4; size <= 64; size++) expect(joinChunks(cookies, NAME, 'abc', size)).toBeUndefined()
    expect(joinChunks(cookies, NAME, 'abc', 3)).toEqual({ payload: 'abc', count: 1 })
  })

  it('refuses an empty chunk even when the chunks after it make up the size', () => {
    const cookies = new Map([
      ['session', `${HEADER}abc`],
      ['session2', ''],
      ['session3', 'def'],
    ])
    expect(joinChunks(cookies, NAME, 'abc', 6)).toBeUndefined()
    expect(joinChunks(new Map([...cookies, ['session2', 'def']]), NAME, 'abc', 6)).toEqual({
      payload: 'abcdef',
      count: 2,
    })
  })

  it('refuses chunks that add up to another size than the header says', () => {
    const cookies = new Map([
      ['session', `${HEADER}abc`],
      ['session2', 'def'],
    ])
    expect(joinChunks(cookies, NAME, 'abc', 6)).toEqual({ payload: 'abcdef', count: 2 })
    expect(joinChunks(cookies, NAME, 'abc', 5)).toBeUndefined()
    expect(joinChunks(cookies, NAME, 'abc', 7)).toBeUndefined()
    expect(joinChunks(cookies, NAME, 'abc', 3)).toEqual({ payload: 'abc', count: 1 })
    expect(joinChunks(cookies, NAME, 'abc', 2)).toBeUndefined()
  })
})

describe('Set-Cookie lines', () => {
  it('cookieLine is name=value then the attributes', () => {
    expect(cookieLine('s', 'v', '; Path=/')).toBe('s=v; Path=/')
  })
  it('expireLine empties the value and expires it now', () => {
    expect(expireLine('s', '; Path=/')).toBe('s=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0')
  })
  it('httpDate is the IMF-fixdate of epoch seconds', () => {
    expect(httpDate(1_700_000_000)).toBe('Tue, 14 Nov 2023 22:13:20 GMT')
    expect(httpDate(0)).toBe('Thu, 01 Jan 1970 00:00:00 GMT')
  })
})

describe('fitsCookieLine', () => {
  it('takes name=value of exactly 4096 bytes and refuses one more', () => {
    expect(fitsCookieLine('session', 'v'.repeat(4096 - 8))).toBe(true)
    expect(fitsCookieLine('session', 'v'.repeat(4096 - 7))).toBe(false)
  })
  it('counts bytes of UTF-8, not characters', () => {
    // Two bytes per é: with `s=`, 2047 of them take 4096 bytes, 2048 take 4098.
    expect(fitsCookieLine('s', 'é'.repeat(2047))).toBe(true)
    expect(fitsCookieLine('s', 'é'.repeat(2048))).toBe(false)
    expect(fitsCookieLine('s', `${'é'.repeat(2046)}vv`)).toBe(true)
    expect(fitsCookieLine('s', `${'é'.repeat(2046)}vvv`)).toBe(false)
    expect(fitsCookieLine('é', 'v'.repeat(4093))).toBe(true)
    expect(fitsCookieLine('é', 'v'.repeat(4094))).toBe(false)
  })
  it('counts the name and the "=": a name of 4095 bytes leaves room only for an empty value', () => {
    expect(fitsCookieLine('n'.repeat(4095), '')).toBe(true)
    expect(fitsCookieLine('n'.repeat(4095), 'v')).toBe(false)
    expect(fitsCookieLine('n'.repeat(4096), '')).toBe(false)
  })
})
