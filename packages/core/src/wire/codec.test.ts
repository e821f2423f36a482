import { createCipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { fakeClock, requestWith, runLeft, runRight, scriptedRandom } from '@tessera/test-kit'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createSessionEngine, type SessionData } from '../index.js'
import { encodedLength as b64EncodedLength } from './base64url.js'
import { seal, touchHeader, unseal, verifyMac } from './codec.js'
import {
  FLAG_BIND_IP,
  FLAG_BIND_SCHEME,
  FLAG_BIND_USER_AGENT,
  FLAG_DEFLATE,
  HEADER_ENCODED_SIZE,
  readHeader,
  writeHeaderPrefix,
} from './header.js'
import { encryptionKey, ikmFromSecret, keyMaterial } from './keys.js'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
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
  // In server mode: integration/core/codec.test.ts.
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
    const other = createSessionEngine({ secret: 'Cb5Ny2Ji7Tr4Ws9Fe1Xm6Qk3Lp8Vz0Ha' }, { clock: fakeClock(T0) })
    expect(await runLeft(other.open(requestWith(lines)))).toMatchObject({ reason: 'mac' })
  })
  it('a creation time in the future', async () => {
    expect(await reject(craft('[[{},"default"]]', { creation: T0 + 3600 }))).toMatchObject({ reason: 'future' })
  })
})

describe('sealing and opening, unit by unit', () => {
  const km = keyMaterial(ikmFromSecret(SECRET))
  const SID = Buffer.alloc(32, 9)
  const sealWith = (plaintext: string | Buffer, fields: Partial<Parameters<typeof seal>[0]> = {}) => {
    const sealed = seal({
      flags: 0,
      sid: SID,
      creation: T0,
      rolling: 0,
      plaintext,
      compressionThreshold: 0,
      km,
      binding: {},
      ...fields,
    })
    if ('_tag' in sealed) throw new Error(`too large: ${sealed.bytes}`)
    return sealed
  }
  const headerOf = (sealed: { header: Buffer }) => readHeader(sealed.header)
  const opens = (sealed: { header: Buffer; payload: string }) => unseal(headerOf(sealed), sealed.payload, km)

  /**
   * The reference's rule for a bound cookie (lua-resty-session 4.x, `bind`): the MAC input is
   * header bytes 0..65, then `#`, then the raw SHA-256 of the non-empty bound values joined by `|`
   * in the order remote address, scheme, User-Agent; with no value at all, the header alone.
   * Computed here with node:crypto's HKDF and HMAC, apart from the codec.
   */
  const referenceMac = (header: Buffer, values: string[]) => {
    const info = Buffer.concat([Buffer.from('authentication:'), header.subarray(3, 35)])
    const key = Buffer.from(hkdfSync('sha256', ikmFromSecret(SECRET), Buffer.alloc(0), info, 32))
    const prefix = header.subarray(0, 66)
    const message =
      values.length === 0
        ? prefix
        : Buffer.concat([prefix, Buffer.from('#'), createHash('sha256').update(values.join('|')).digest()])
    return createHmac('sha256', key).update(message).digest().subarray(0, 16)
  }
  const client = { ip: '203.0.113.7', scheme: 'https', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' }

  describe('a bound cookie, as the reference binds it', () => {
    it.each([
      [
        'ip, scheme and User-Agent',
        FLAG_BIND_IP | FLAG_BIND_SCHEME | FLAG_BIND_USER_AGENT,
        client,
        [client.ip, client.scheme, client.userAgent],
      ],
      [
        'ip and User-Agent (the scheme is not read)',
        FLAG_BIND_IP | FLAG_BIND_USER_AGENT,
        client,
        [client.ip, client.userAgent],
      ],
      ['scheme alone', FLAG_BIND_SCHEME, client, [client.scheme]],
      ['an empty value is skipped', FLAG_BIND_IP | FLAG_BIND_USER_AGENT, { ...client, userAgent: '' }, [client.ip]],
      ['no value at all: the header alone', FLAG_BIND_IP | FLAG_BIND_USER_AGENT, {}, []],
      ['no bind flag: the binding is not read', 0, client, []],
    ] as const)('%s', (_, flags, binding, values) => {
      const sealed = sealWith('[[{},"default"]]', { flags, binding })
      expect(sealed.flags).toBe(flags)
      expect(sealed.header.readUInt16LE(1)).toBe(flags)
      expect(sealed.header.subarray(66)).toEqual(referenceMac(sealed.header, [...values]))
      expect(verifyMac(headerOf(sealed), { primary: km, fallbacks: [] }, binding)).toBe(km)
    })

    it('hashes a value as the bytes it arrived as: one byte per character up to U+00FF', () => {
      // Node hands a header over one character per byte received; the reference hashes those bytes.
      const userAgent = Buffer.from('Ünïcödé/1.0', 'utf8').toString('latin1')
      const flags = FLAG_BIND_USER_AGENT
      const sealed = sealWith('[[{},"default"]]', { flags, binding: { userAgent } })
      const prefix = sealed.header.subarray(0, 66)
      const info = Buffer.concat([Buffer.from('authentication:'), sealed.header.subarray(3, 35)])
      const key = Buffer.from(hkdfSync('sha256', ikmFromSecret(SECRET), Buffer.alloc(0), info, 32))
      const digest = createHash('sha256').update(Buffer.from(userAgent, 'latin1')).digest()
      const expected = createHmac('sha256', key)
        .update(Buffer.concat([prefix, Buffer.from('#'), digest]))
        .digest()
        .subarray(0, 16)
      expect(sealed.header.subarray(66)).toEqual(expected)
    })

    it('opens only for the same client', () => {
      const flags = FLAG_BIND_IP | FLAG_BIND_SCHEME | FLAG_BIND_USER_AGENT
      const header = headerOf(sealWith('[[{},"default"]]', { flags, binding: client }))
      const keyring = { primary: km, fallbacks: [] }
      expect(verifyMac(header, keyring, client)).toBe(km)
      for (const other of [
        { ...client, ip: '203.0.113.8' },
        { ...client, scheme: 'http' },
        { ...client, userAgent: 'curl/8.5.0' },
        { ip: client.ip, scheme: client.scheme },
        {},
      ]) {
        expect(verifyMac(header, keyring, other), JSON.stringify(other)).toBeUndefined()
      }
    })

    it('a touch re-MACs the header under the same binding', () => {
      const flags = FLAG_BIND_IP | FLAG_BIND_USER_AGENT
      const header = headerOf(sealWith('[[{},"default"]]', { flags, binding: client }))
      const touched = touchHeader(header, 77, km, client)
      expect(touched.readUIntLE(63, 3)).toBe(77)
      expect(touched.subarray(0, 63)).toEqual(header.bytes.subarray(0, 63))
      expect(touched.subarray(66)).toEqual(referenceMac(touched, [client.ip, client.userAgent]))
      expect(verifyMac(readHeader(touched), { primary: km, fallbacks: [] }, client)).toBe(km)
      expect(verifyMac(readHeader(touched), { primary: km, fallbacks: [] }, { ...client, ip: '::1' })).toBeUndefined()
    })
  })

  it('verifyMac names the key that matched: the primary first, then each fallback', () => {
    const other = keyMaterial(ikmFromSecret('another secret, also thirty-two bytes long'))
    const third = keyMaterial(ikmFromSecret('a third secret, thirty-two bytes or more'))
    const underOther = headerOf(sealWith('[[{},"default"]]', { km: other }))
    expect(verifyMac(underOther, { primary: km, fallbacks: [third, other] }, {})).toBe(other)
    expect(verifyMac(underOther, { primary: other, fallbacks: [km] }, {})).toBe(other)
    expect(verifyMac(underOther, { primary: km, fallbacks: [third] }, {})).toBeUndefined()
  })

  describe('the 3-byte data size', () => {
    // 12,582,911 bytes encode to 16,777,215 characters, the most the header's data size holds.
    const MOST = 12_582_911
    it('holds a payload of exactly 2^24 - 1 characters', () => {
      const sealed = sealWith(Buffer.alloc(MOST, 0x61))
      expect(sealed.payload).toHaveLength(2 ** 24 - 1)
      expect(headerOf(sealed).size).toBe(2 ** 24 - 1)
    })
    it('refuses one byte more as TooLarge', () => {
      const sealed = seal({
        flags: 0,
        sid: SID,
        creation: T0,
        rolling: 0,
        plaintext: Buffer.alloc(MOST + 1, 0x61),
        compressionThreshold: 0,
        km,
        binding: {},
      })
      expect(sealed).toEqual({ _tag: 'TooLarge', bytes: 2 ** 24, limit: 2 ** 24 - 1 })
    })
  })

  describe('compression', () => {
    const text = 'a'.repeat(100)
    it('deflates only above the threshold', () => {
      expect(sealWith(text, { compressionThreshold: 100 }).flags & FLAG_DEFLATE).toBe(0)
      expect(sealWith(text, { compressionThreshold: 99 }).flags & FLAG_DEFLATE).toBe(FLAG_DEFLATE)
      expect(sealWith(text, { compressionThreshold: 0 }).flags & FLAG_DEFLATE).toBe(0)
    })
    it('measures the threshold in bytes, not characters', () => {
      const wide = 'é'.repeat(60) // 120 bytes of UTF-8
      expect(sealWith(wide, { compressionThreshold: 100 }).flags & FLAG_DEFLATE).toBe(FLAG_DEFLATE)
      expect(sealWith(Buffer.from(wide), { compressionThreshold: 100 }).flags & FLAG_DEFLATE).toBe(FLAG_DEFLATE)
    })
    it('keeps the plaintext when deflating does not make it smaller', () => {
      const noise = randomBytes(2000)
      const sealed = sealWith(noise, { compressionThreshold: 1 })
      expect(sealed.flags & FLAG_DEFLATE).toBe(0)
      expect(sealed.payload).toHaveLength(b64EncodedLength(2000))
      expect(opens(sealed)).toEqual(E.right(noise))
    })
    it('a deflated payload opens to the plaintext, and a caller flag never claims deflate', () => {
      const sealed = sealWith(text, { compressionThreshold: 10 })
      expect(sealed.payload.length).toBeLessThan(b64EncodedLength(100))
      expect(opens(sealed)).toEqual(E.right(Buffer.from(text)))
      const plain = sealWith(text, { flags: FLAG_DEFLATE })
      expect(plain.flags).toBe(0)
      expect(opens(plain)).toEqual(E.right(Buffer.from(text)))
    })
  })

  /** Encrypts raw bytes under a header that claims deflate, as a peer holding the secret could. */
  const craftDeflated = (bytes: Buffer) => {
    const header = writeHeaderPrefix(FLAG_DEFLATE, SID, T0, 0, b64EncodedLength(bytes.length))
    const { key, iv } = encryptionKey(km, SID)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    cipher.setAAD(header.subarray(0, 47))
    const ct = cipher.update(bytes)
    cipher.final()
    header.set(cipher.getAuthTag(), 47)
    return { header, payload: ct.toString('base64url') }
  }

  describe('the inflate limit', () => {
    const LIMIT = 16 * 1024 * 1024
    it('inflates a payload of exactly 16 MiB', () => {
      const sealed = sealWith(Buffer.alloc(LIMIT, 0x20), { compressionThreshold: 1 })
      expect(sealed.flags & FLAG_DEFLATE).toBe(FLAG_DEFLATE)
      const opened = opens(sealed)
      expect(E.isRight(opened) && opened.right.length).toBe(LIMIT)
    })
    it('refuses a deflate bomb one byte past it', () => {
      const sealed = sealWith(Buffer.alloc(LIMIT + 1, 0x20), { compressionThreshold: 1 })
      // A few kilobytes on the wire: the cost is all in inflating.
      expect(sealed.payload.length).toBeLessThan(32 * 1024)
      expect(opens(sealed)).toEqual(E.left({ _tag: 'InvalidCookie', reason: 'inflate' }))
    })
    it('a deflate flag over bytes that are not deflate is refused, not thrown', () => {
      const forged = craftDeflated(Buffer.from('not deflate at all'))
      expect(unseal(readHeader(forged.header), forged.payload, km)).toEqual(
        E.left({ _tag: 'InvalidCookie', reason: 'inflate' }),
      )
    })
  })

  describe('unseal', () => {
    const sealed = sealWith('[[{"a":1},"default"]]')
    it('opens what seal sealed', () => {
      expect(opens(sealed)).toEqual(E.right(Buffer.from('[[{"a":1},"default"]]')))
    })
    it('refuses a payload of another length than the header says', () => {
      const header = headerOf(sealed)
      for (const payload of [sealed.payload.slice(0, -1), `${sealed.payload}A`, '']) {
        expect(unseal(header, payload, km)).toEqual(
          E.left({ _tag: 'InvalidCookie', reason: 'payload', detail: 'payload length does not match header' }),
        )
      }
    })
    it('refuses a payload that is not canonical base64url', () => {
      const payload = `${sealed.payload.slice(0, -1)}+`
      expect(unseal(headerOf(sealed), payload, km)).toEqual(
        E.left({ _tag: 'InvalidCookie', reason: 'payload', detail: 'payload is not base64url' }),
      )
    })
    it('refuses a payload under another key, tag or header', () => {
      const other = keyMaterial(ikmFromSecret('another secret, also thirty-two bytes long'))
      expect(unseal(headerOf(sealed), sealed.payload, other)).toEqual(
        E.left({ _tag: 'InvalidCookie', reason: 'decrypt' }),
      )
      const tag = Buffer.from(sealed.header)
      tag[50] = (tag[50] as number) ^ 1
      expect(unseal(readHeader(tag), sealed.payload, km)).toMatchObject(E.left({ reason: 'decrypt' }))
      const creation = Buffer.from(sealed.header)
      creation[36] = (creation[36] as number) ^ 1
      expect(unseal(readHeader(creation), sealed.payload, km)).toMatchObject(E.left({ reason: 'decrypt' }))
    })
    it('a remember cookie is sealed and opened under its PBKDF2 key', () => {
      const remembered = sealWith('[[{},"default"]]', { safety: 'Low' })
      expect(unseal(headerOf(remembered), remembered.payload, km, 'Low')).toEqual(
        E.right(Buffer.from('[[{},"default"]]')),
      )
      expect(unseal(headerOf(remembered), remembered.payload, km)).toMatchObject(E.left({ reason: 'decrypt' }))
      expect(unseal(headerOf(remembered), remembered.payload, km, 'Medium')).toMatchObject(
        E.left({ reason: 'decrypt' }),
      )
    })
  })
})
