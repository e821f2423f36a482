// Kong's own session data, from cookies the real lua-resty-session 4.1.5 made the way Kong's
// Session plugin does (`set_data({ consumer_id, credential_id, groups })`, `set_subject`, `save`).
import { cookieJar, fakeClock, kongVector, requestWith, runRight, scriptedRandom } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'
import { createSessionEngine } from './index.js'
import { fromKongConfig, kongConsumerOf, kongSessionData } from './options/kong.js'

interface KongVector {
  readonly config: Record<string, unknown>
  readonly now: number
  readonly set_cookie: string[]
  readonly cookie: Record<string, string>
  readonly header: { readonly sid_b64url: string }
  readonly remember_header?: { readonly sid_b64url: string }
  readonly data: string
  readonly step1?: KongVector
  readonly request_cookie?: string
}

const vector = (name: string) => kongVector(name) as unknown as KongVector
// The reference's session ids are plain random bytes: the vectors' ids are re-encoded as they are.
const engineFor = (config: Record<string, unknown>, now: number, ...sids: string[]) =>
  createSessionEngine(
    { ...fromKongConfig({ ...config, storage: 'cookie' }), tagSessionIds: false },
    {
      clock: fakeClock(now),
      random: scriptedRandom(...sids),
    },
  )
const cookiesOf = (v: KongVector) => Object.entries(v.cookie).map(([name, value]) => `${name}=${value}`)
const entriesOf = (v: KongVector) => JSON.parse(v.data) as [[unknown, string, string?], [unknown, string, string?]]

const consumer = {
  consumerId: '5ee0a7a0-3b1c-4d0e-9f8a-2b7c9d1e6f01',
  credentialId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
  groups: ['admins', 'auditors'],
}

describe("Kong's session data", () => {
  it('k1: opens as an array value with the consumer, credential and groups', async () => {
    const v = vector('k1')
    const session = await runRight(engineFor(v.config, v.now).open(requestWith(cookiesOf(v))))
    const [[data, , subject]] = entriesOf(v)
    expect(session.value).toEqual(data)
    expect(kongConsumerOf(session.value)).toEqual(consumer)
    expect(session.subject).toBe(subject)
    // The object API sees no keys in array data, and refuses to overwrite it key by key.
    expect(session.data).toEqual({})
    expect(session.get('0' as never)).toBeUndefined()
    expect(() => session.set('x', 1)).toThrow(/is an array, not an object: use replace\(\)/)
  })

  it('k1: saved unchanged, it is the reference cookie byte for byte', async () => {
    const v = vector('k1')
    const engine = engineFor(v.config, v.now, v.header.sid_b64url)
    const session = await runRight(engine.open(requestWith(cookiesOf(v))))
    expect((await runRight(engine.save(session))).setCookie).toEqual(v.set_cookie)
  })

  it('k1: a new session written with kongSessionData is what Kong writes', async () => {
    const v = vector('k1')
    const engine = engineFor(v.config, v.now, v.header.sid_b64url)
    const session = await runRight(engine.start(requestWith()))
    session.replace(kongSessionData(consumer))
    session.setSubject(consumer.consumerId)
    expect((await runRight(engine.save(session))).setCookie).toEqual(v.set_cookie)
  })

  it('k2: joining Kong\u2019s cookie with a second audience writes the reference cookie', async () => {
    const v = vector('k2')
    const step1 = v.step1 as KongVector
    const engine = engineFor(v.config, v.now, v.header.sid_b64url)
    const session = await runRight(engine.start(requestWith([v.request_cookie as string])))
    expect(session.state).toBe('new')
    const [, [admin, audience, subject]] = entriesOf(v)
    expect(audience).toBe('admin-gui')
    session.replace(admin as never)
    session.setSubject(subject)
    expect((await runRight(engine.save(session))).setCookie).toEqual(v.set_cookie)
    expect(step1.cookie.session).toBe((v.request_cookie as string).slice('session='.length))
  })

  it('k2: each audience opens its own data; a save of one keeps the other unchanged', async () => {
    const v = vector('k2')
    const kong = await runRight(engineFor(v.step1?.config ?? {}, v.now).open(requestWith(cookiesOf(v))))
    expect(kongConsumerOf(kong.value)).toEqual(consumer)
    const admin = await runRight(engineFor(v.config, v.now).open(requestWith(cookiesOf(v))))
    expect(admin.get('username')).toBe('kong_admin')
    expect(admin.subject).toBe('kong_admin')

    // Re-saved by the admin-gui side without a change: the same bytes under the same id.
    const resave = engineFor(v.config, v.now, v.header.sid_b64url)
    const same = await runRight(resave.open(requestWith(cookiesOf(v))))
    const lines = (await runRight(resave.save(same))).setCookie
    expect(lines).toEqual(v.set_cookie)

    // Changed by the admin-gui side: Kong's entry is carried over as it was.
    const changer = engineFor(v.config, v.now)
    const changed = await runRight(changer.open(requestWith(cookiesOf(v))))
    changed.set('username', 'renamed')
    const jar = cookieJar()
    jar.apply((await runRight(changer.save(changed))).setCookie)
    const reopened = await runRight(engineFor(v.step1?.config ?? {}, v.now).open(requestWith(jar.lines)))
    expect(reopened.value).toEqual(entriesOf(v)[0]?.[0])
    expect(reopened.subject).toBe(consumer.consumerId)
  })

  it('r1: the remember cookie reopens Kong\u2019s data, and both cookies re-save as the reference wrote them', async () => {
    const v = vector('r1')
    const remember = v.remember_header?.sid_b64url as string
    const fromRemember = await runRight(engineFor(v.config, v.now).open(requestWith([`remember=${v.cookie.remember}`])))
    expect(kongConsumerOf(fromRemember.value)).toEqual(consumer)
    expect(fromRemember.remember).toBe(true)

    const engine = engineFor(v.config, v.now, v.header.sid_b64url, remember)
    const session = await runRight(engine.open(requestWith([`session=${v.cookie.session}`])))
    expect(kongConsumerOf(session.value)).toEqual(consumer)
    const lines = (await runRight(engine.save(session))).setCookie
    expect(lines).toEqual(v.set_cookie)
  })
})

describe('kongConsumerOf', () => {
  it.each([
    [['c', 'k'], { consumerId: 'c', credentialId: 'k', groups: [] }],
    [['c', 'k', {}], { consumerId: 'c', credentialId: 'k', groups: [] }],
    [['c', 'k', null], { consumerId: 'c', credentialId: 'k', groups: [] }],
    [['c', 'k', ['g']], { consumerId: 'c', credentialId: 'k', groups: ['g'] }],
  ])('reads %j', (value, expected) => {
    expect(kongConsumerOf(value)).toEqual(expected)
  })
  it.each([[{ consumer_id: 'c' }], [['c']], [['c', 1]], [['c', 'k', [1]]], [['c', 'k', { a: 1 }]], ['c'], [null]])(
    'is undefined for %j',
    (value) => {
      expect(kongConsumerOf(value)).toBeUndefined()
    },
  )
})
