import { describe, expect, it } from 'vitest'
import { chunkLines, chunkName, cookieLine, expireLine, httpDate, joinChunks, MAX_CHUNKS } from './cookies.js'

const NAME = 'session'
const ATTRIBUTES = '; Path=/; HttpOnly'
const HEADER = 'H'.repeat(110)
// Each whole line holds 4096 bytes: the first carries `session=` + the header + 3960 payload
// characters + the attributes, each later one `sessionN=` + 4069 characters + the attributes.
const FIRST_ROOM = 4096 - 'session='.length - 110 - ATTRIBUTES.length
const LATER_ROOM = 4096 - 'session2='.length - ATTRIBUTES.length
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
})

describe('chunkLines', () => {
  it('puts a small session in one line with its header', () => {
    const chunked = chunkLines(NAME, HEADER, 'payload', ATTRIBUTES)
    expect(chunked).toEqual({ lines: [`session=${HEADER}payload${ATTRIBUTES}`], firstChunk: 'payload' })
  })

  it('fills each line to exactly 4096 bytes before starting the next', () => {
    const payload = payloadOf(FIRST_ROOM + LATER_ROOM + 5)
    const chunked = chunkLines(NAME, HEADER, payload, ATTRIBUTES)
    const lines = chunked?.lines ?? []
    expect(lines.map((l) => Buffer.byteLength(l))).toEqual([4096, 4096, 'session3='.length + 5 + ATTRIBUTES.length])
    expect(lines.map((l) => l.slice(0, l.indexOf('=')))).toEqual(['session', 'session2', 'session3'])
    expect(chunked?.firstChunk).toBe(payload.slice(0, FIRST_ROOM))
    expect(lines.map(cookieValue).join('')).toBe(HEADER + payload)
    for (const line of lines) expect(line.endsWith(ATTRIBUTES)).toBe(true)
  })

  it('a payload that fills the first line exactly takes one line', () => {
    const chunked = chunkLines(NAME, HEADER, payloadOf(FIRST_ROOM), ATTRIBUTES)
    expect(chunked?.lines).toHaveLength(1)
    expect(chunkLines(NAME, HEADER, payloadOf(FIRST_ROOM + 1), ATTRIBUTES)?.lines).toHaveLength(2)
  })

  it('uses all nine cookies, and refuses one character more', () => {
    const payload = payloadOf(NINE_COOKIES)
    const chunked = chunkLines(NAME, HEADER, payload, ATTRIBUTES)
    expect(chunked?.lines).toHaveLength(MAX_CHUNKS)
    expect(chunked?.lines.map(cookieValue).join('')).toBe(HEADER + payload)
    expect(chunkLines(NAME, HEADER, payloadOf(NINE_COOKIES + 1), ATTRIBUTES)).toBeUndefined()
  })

  it('refuses when the attributes leave no room for a value', () => {
    expect(chunkLines(NAME, HEADER, 'p', `; Domain=${'d'.repeat(4096 - 8 - 110 - 9)}`)).toBeUndefined()
    const justRoom = `; Domain=${'d'.repeat(4096 - 8 - 110 - 9 - 1)}`
    expect(chunkLines(NAME, HEADER, 'p', justRoom)?.lines).toEqual([`session=${HEADER}p${justRoom}`])
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
      expect(joinChunks(cookies, NAME, first, n)).toEqual({ payload, count: cookies.size })
    }
  })

  it('never reads a tenth cookie', () => {
    const payload = payloadOf(NINE_COOKIES)
    const cookies = sentBack(payload)
    cookies.set('session10', 'XYZ')
    const first = (cookies.get(NAME) as string).slice(110)
    expect(joinChunks(cookies, NAME, first, NINE_COOKIES + 3)).toBeUndefined()
    expect(joinChunks(cookies, NAME, first, NINE_COOKIES)).toEqual({ payload, count: 9 })
  })

  it('refuses a missing or empty chunk', () => {
    const cookies = sentBack(payloadOf(FIRST_ROOM + LATER_ROOM + 5))
    const first = (cookies.get(NAME) as string).slice(110)
    const size = FIRST_ROOM + LATER_ROOM + 5
    expect(joinChunks(cookies, NAME, first, size)?.count).toBe(3)
    expect(joinChunks(new Map([...cookies].filter(([n]) => n !== 'session2')), NAME, first, size)).toBeUndefined()
    expect(joinChunks(new Map([...cookies, ['session3', '']]), NAME, first, size)).toBeUndefined()
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
