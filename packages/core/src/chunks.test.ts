// The reference's chunk splits, made by the unmodified lua-resty-session 4.1.5 at every size where
// the number of cookies changes: Tessera must split the same data into the same cookies.
import { chunkVectors, fakeClock, optionsFromVector, requestWith, runRight, scriptedRandom } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'
import { createSessionEngine } from './index.js'

const pairOf = (line: string) => line.split(';')[0] ?? ''
const valueIn = (line: string) => pairOf(line).slice(pairOf(line).indexOf('=') + 1)

describe('chunking: the reference splits', () => {
  it('covers one, two, three and four cookies', () => {
    expect(new Set(chunkVectors.map((v) => v.chunk_value_lengths.length))).toEqual(new Set([1, 2, 3, 4]))
  })

  describe.each(chunkVectors.map((v) => [v.name, v] as const))('%s', (_, v) => {
    const [[data, audience, subject]] = JSON.parse(v.data) as [[Record<string, unknown>, string, string]]

    it('is written as the same cookies, each name=value at most 4096 bytes', async () => {
      const engine = createSessionEngine(optionsFromVector(v.config), {
        clock: fakeClock(v.now),
        random: scriptedRandom(v.header.sid_b64url),
      })
      const session = await runRight(engine.start(requestWith()))
      expect(session.audience).toBe(audience)
      for (const [key, value] of Object.entries(data)) session.set(key, value)
      session.setSubject(subject)
      const { setCookie } = await runRight(engine.save(session))
      expect(setCookie.map((line) => valueIn(line).length)).toEqual(v.chunk_value_lengths)
      expect(setCookie.map(pairOf)).toEqual(v.set_cookie.map(pairOf))
      for (const line of setCookie) expect(Buffer.byteLength(pairOf(line))).toBeLessThanOrEqual(4096)
    })

    it("opens from the reference's cookies", async () => {
      const engine = createSessionEngine(optionsFromVector(v.config), { clock: fakeClock(v.now) })
      const cookies = Object.entries(v.cookie).map(([name, value]) => `${name}=${value}`)
      const session = await runRight(engine.open(requestWith(cookies)))
      expect([session.data, session.subject]).toEqual([data, subject])
    })
  })
})
