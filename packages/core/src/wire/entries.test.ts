import { fakeClock, requestWith, runRight } from '@tessera/test-kit'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createSessionEngine } from '../index.js'
import { decodeEntries, encodeEntries } from './entries.js'

const SECRET = 'entries-test-secret-entries-test-secret-0001'

describe('entries', () => {
  it.each([
    ['an array', '[["c","k",["g"]],"default","s"]'],
    ['a string', '["text","default"]'],
    ['a number', '[4.5,"default","s"]'],
    ['a boolean', '[false,"default"]'],
    ['null', '[null,"default"]'],
    ['an object', '[{"a":[1,{"b":null}]},"default","s"]'],
  ])('%s as data decodes and encodes back to the same text', (_, entry) => {
    const text = `[${entry}]`
    const decoded = decodeEntries(text, new Map())
    expect(E.isRight(decoded) && encodeEntries(decoded.right)).toEqual(E.right(text))
  })

  it('still refuses an entry whose audience is not a string', () => {
    expect(decodeEntries('[[{},1]]', new Map())).toEqual(
      E.left({ _tag: 'InvalidCookie', reason: 'json', detail: 'bad entry' }),
    )
  })

  it('a session keeps any JSON value through replace, save and open', async () => {
    const engine = createSessionEngine({ secret: SECRET }, { clock: fakeClock(1_800_000_000) })
    for (const value of ['text', 7, true, null, [1, 'two', { three: 3 }]] as const) {
      const session = await runRight(engine.start(requestWith()))
      session.replace(value)
      const [line] = (await runRight(engine.save(session))).setCookie
      const reopened = await runRight(engine.open(requestWith([line as string])))
      expect(reopened.value).toEqual(value)
    }
  })

  it('set on null data starts an object; on a string it throws and leaves the data', async () => {
    const engine = createSessionEngine({ secret: SECRET }, { clock: fakeClock(1_800_000_000) })
    const session = await runRight(engine.start(requestWith()))
    session.replace(null)
    session.set('a', 1)
    expect(session.value).toEqual({ a: 1 })
    session.replace('text')
    expect(() => session.set('a', 1)).toThrow(TypeError)
    expect(session.value).toBe('text')
  })

  it('replace copies: changing the given object afterwards changes nothing saved', async () => {
    const engine = createSessionEngine({ secret: SECRET }, { clock: fakeClock(1_800_000_000) })
    const session = await runRight(engine.start(requestWith()))
    const given = { roles: ['a'] }
    session.replace(given)
    given.roles.push('b')
    expect(session.value).toEqual({ roles: ['a'] })
  })
})
