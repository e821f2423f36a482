import { createMemoryStore } from '@tessera/store-memory'
import { fakeClock, requestWith, runLeft, runRight, scriptedRandom } from '@tessera/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { seal } from './codec.js'
import { HEADER_ENCODED_SIZE } from './header.js'
import { createSessionEngine, type SessionData } from './index.js'
import { ikmFromSecret, keyMaterial } from './keys.js'

const SECRET = 'a strong secret of at least thirty-two bytes'
const T0 = 1_700_000_000

const engine = (extra: object = {}, now = T0) =>
  createSessionEngine({ secret: SECRET, ...extra }, { clock: fakeClock(now), random: scriptedRandom() })

/** Issues a cookie for `data` and returns the Set-Cookie lines. */
const issue = async (data: SessionData, extra: object = {}, audience?: string) => {
  const e = engine(audience === undefined ? extra : { ...extra, audience })
  const s = await runRight(e.start(requestWith()))
  for (const [k, v] of Object.entries(data)) s.set(k, v)
  s.setSubject('alice')
  return (await runRight(e.save(s))).setCookie
}

const cookieValue = (line: string) => (line.split(';')[0] ?? '').slice(line.indexOf('=') + 1)

/** Seals an arbitrary plaintext the way a (possibly hostile) peer holding the secret could. */
const craft = (plaintext: string, fields: { flags?: number; creation?: number } = {}) => {
  const sealed = seal({
    flags: fields.flags ?? 0,
    sid: Buffer.alloc(32, 7),
    creation: fields.creation ?? T0,
    rolling: 0,
    plaintext: Buffer.from(plaintext),
    compressionThreshold: 0,
    km: keyMaterial(ikmFromSecret(SECRET)),
    binding: {},
  })
  if ('_tag' in sealed) throw new Error('too large')
  return `session=${sealed.headerText}${sealed.payload}`
}

describe('round trip', () => {
  it('any JSON data and any audience opens to what was saved', async () => {
    const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), json, { maxKeys: 6 }),
        fc
          .string({ minLength: 1, maxLength: 20 })
          .filter((a) => [...a].every((c) => c >= ' ' && c !== '\u007f' && c !== ';')),
        async (data, audience) => {
          const lines = await issue(data, {}, audience)
          const opened = await runRight(engine({ audience }).open(requestWith(lines)))
          // JSON itself turns -0 into 0; compare through JSON so that is not counted as a difference.
          expect(JSON.parse(JSON.stringify(opened.data))).toEqual(JSON.parse(JSON.stringify(data)))
          expect(opened.audience).toBe(audience)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('compresses above the threshold and still opens', async () => {
    const lines = await issue({ text: 'x'.repeat(5000) })
    expect(lines).toHaveLength(1)
    expect((await runRight(engine().open(requestWith(lines)))).get('text')).toHaveLength(5000)
  })
})

describe('size limits', () => {
  it('data too large for the header is a typed TooLarge in server mode, not a RangeError', async () => {
    const store = createMemoryStore()
    const e = createSessionEngine(
      { secret: SECRET, storage: 'server', compressionThreshold: 0 },
      { clock: fakeClock(T0), store },
    )
    const s = await runRight(e.start(requestWith()))
    s.set('huge', 'x'.repeat(13 * 1024 * 1024))
    expect(await runLeft(e.save(s))).toMatchObject({ _tag: 'TooLarge', limit: 2 ** 24 - 1 })
    store.close()
  })
  it('data too large for nine cookies is a typed TooLarge in cookie mode', async () => {
    const e = engine({ compressionThreshold: 0 })
    const s = await runRight(e.start(requestWith()))
    s.set('big', 'x'.repeat(40 * 1024))
    expect(await runLeft(e.save(s))).toMatchObject({ _tag: 'TooLarge' })
  })
})

describe('tampering', () => {
  it('flipping any single bit of any cookie byte is rejected', async () => {
    const [line] = await issue({ user: 'alice', roles: ['admin'] })
    const value = cookieValue(line as string)
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: value.length - 1 }),
        fc.integer({ min: 0, max: 7 }),
        async (i, bit) => {
          const flipped = String.fromCharCode(value.charCodeAt(i) ^ (1 << bit))
          const tampered = value.slice(0, i) + flipped + value.slice(i + 1)
          const error = await runLeft(engine().open(requestWith([`session=${tampered}`])))
          expect(['InvalidCookie', 'MissingCookie']).toContain(error._tag)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('bad input is a typed rejection, never a throw', () => {
  const reject = async (cookie: string, extra: object = {}) => runLeft(engine(extra).open(requestWith([cookie])))

  it('an empty cookie', async () => {
    expect(await reject('session=')).toEqual({ _tag: 'MissingCookie' })
  })
  it('no cookie at all', async () => {
    expect(await runLeft(engine().open({ headers: {} }))).toEqual({ _tag: 'MissingCookie' })
  })
  it('non-base64url characters', async () => {
    expect(await reject(`session=${'*'.repeat(200)}`)).toMatchObject({ _tag: 'InvalidCookie', reason: 'header' })
  })
  it('a cookie truncated at every length', async () => {
    const [line] = await issue({ user: 'alice' })
    const value = cookieValue(line as string)
    for (let n = 1; n < value.length; n++) {
      const error = await reject(`session=${value.slice(0, n)}`)
      expect(error._tag, `length ${n}`).toBe('InvalidCookie')
    }
  })
  it('an 8 KiB cookie of noise', async () => {
    expect(await reject(`session=${'A'.repeat(8192)}`)).toMatchObject({ _tag: 'InvalidCookie' })
  })
  it('a wrong type byte', async () => {
    const [line] = await issue({ a: 1 })
    const bytes = Buffer.from(cookieValue(line as string).slice(0, HEADER_ENCODED_SIZE), 'base64url')
    bytes[0] = 2
    const cookie = `session=${bytes.toString('base64url')}${cookieValue(line as string).slice(HEADER_ENCODED_SIZE)}`
    expect(await reject(cookie)).toMatchObject({ _tag: 'InvalidCookie', reason: 'type' })
  })
  it('unknown flag bits', async () => {
    expect(await reject(craft('[[{},"default"]]', { flags: 0x0800 }))).toMatchObject({ reason: 'flags' })
  })
  it('a server-storage cookie in cookie mode', async () => {
    expect(await reject(craft('[[{},"default"]]', { flags: 0x0001 }))).toMatchObject({ reason: 'flags' })
  })
  it('a missing chunk', async () => {
    const lines = await issue({ big: 'y'.repeat(6000) }, { compressionThreshold: 0 })
    expect(lines.length).toBeGreaterThan(1)
    expect(await runLeft(engine().open(requestWith(lines.slice(0, 1))))).toMatchObject({ reason: 'chunk' })
  })
  it('chunks from two sessions', async () => {
    const a = await issue({ big: 'a'.repeat(6000) }, { compressionThreshold: 0 })
    const b = await issue({ big: 'b'.repeat(6000) }, { compressionThreshold: 0 })
    const mixed = [a[0] as string, ...b.slice(1)]
    expect(await runLeft(engine().open(requestWith(mixed)))).toMatchObject({ _tag: 'InvalidCookie' })
  })
  it('__proto__ and constructor keys in the payload pollute no prototype', async () => {
    const cookie = craft(
      '[[{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"ok":1},"default"]]',
    )
    const session = await runRight(engine().open(requestWith([cookie])))
    expect(session.get('ok')).toBe(1)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    session.set('__proto__', { polluted: true })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
  it('a payload that is not the entries shape', async () => {
    for (const plaintext of [
      '{}',
      '[]',
      '[1]',
      '[[{},1]]',
      'not json',
      '[[{},"default","s",4]]',
      '[[{},"default",5]]',
    ]) {
      expect(await reject(craft(plaintext)), plaintext).toMatchObject({ reason: 'json' })
    }
  })
  it('a cookie from another secret', async () => {
    const lines = await issue({ a: 1 })
    const other = createSessionEngine(
      { secret: 'another secret, also thirty-two bytes long' },
      { clock: fakeClock(T0) },
    )
    expect(await runLeft(other.open(requestWith(lines)))).toMatchObject({ reason: 'mac' })
  })
  it('a creation time in the future', async () => {
    expect(await reject(craft('[[{},"default"]]', { creation: T0 + 3600 }))).toMatchObject({ reason: 'future' })
  })
})
