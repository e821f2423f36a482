// Client binding as the reference computes it: HMAC over header[0..65] || "#" || SHA-256 of the bound
// values joined by "|", as the bytes the request carried (nginx hashes $http_user_agent raw).
import { fakeClock, referenceBoundMac, requestWith, runRight, scriptedRandom } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'
import { createSessionEngine } from './index.js'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
const T0 = 1_700_000_000
const SID = Buffer.alloc(32, 9).toString('base64url')

// What a browser sends, as bytes, and what Node's HTTP parser hands over for them: one char per byte.
const UA_BYTES = Buffer.from('Mozilla/5.0 (X11; Łódź) Ünïcödé/1.0 ✓', 'utf8')
const UA_AS_RECEIVED = UA_BYTES.toString('latin1')

const referenceMac = (header: Buffer, bound: Buffer) => referenceBoundMac(SECRET, header, bound)

const engine = () =>
  createSessionEngine({ secret: SECRET, bind: ['user-agent'] }, { clock: fakeClock(T0), random: scriptedRandom(SID) })

const headerOf = (line: string) =>
  Buffer.from((line.split(';')[0] ?? '').slice('session='.length, 'session='.length + 110), 'base64url')

describe('bind: user-agent with bytes outside ASCII', () => {
  it('issues a MAC over the bytes as received, as the reference does', async () => {
    const e = engine()
    const s = await runRight(e.start(requestWith([], { headers: { 'user-agent': UA_AS_RECEIVED } })))
    s.set('user', 'alice')
    const [line] = (await runRight(e.save(s))).setCookie
    const header = headerOf(line as string)
    expect(header.subarray(66, 82)).toEqual(referenceMac(header, UA_BYTES))
  })

  it("opens a cookie whose MAC the reference computed over the raw bytes, and refuses another client's", async () => {
    // A cookie sealed by Tessera for this UA, then re-signed with the reference's MAC over the raw bytes.
    const e = engine()
    const s = await runRight(e.start(requestWith([], { headers: { 'user-agent': UA_AS_RECEIVED } })))
    s.set('user', 'alice')
    const [line] = (await runRight(e.save(s))).setCookie
    const value = (line as string).split(';')[0]?.slice('session='.length) ?? ''
    const header = headerOf(line as string)
    header.set(referenceMac(header, UA_BYTES), 66)
    const cookie = `session=${header.toString('base64url')}${value.slice(110)}`
    const opened = await e.open(requestWith([cookie], { headers: { 'user-agent': UA_AS_RECEIVED } }))()
    expect(opened).toEqual(expect.objectContaining({ _tag: 'Right' }))
    const other = await e.open(requestWith([cookie], { headers: { 'user-agent': 'Mozilla/5.0 (X11)' } }))()
    expect(other).toEqual(expect.objectContaining({ _tag: 'Left', left: expect.objectContaining({ reason: 'mac' }) }))
  })

  it('hashes a UA that an app already decoded as Unicode (above U+00FF) as UTF-8, its only byte form', async () => {
    const e = engine()
    const s = await runRight(e.start(requestWith([], { headers: { 'user-agent': 'Łódź ✓' } })))
    s.set('user', 'alice')
    const [line] = (await runRight(e.save(s))).setCookie
    const header = headerOf(line as string)
    expect(header.subarray(66, 82)).toEqual(referenceMac(header, Buffer.from('Łódź ✓', 'utf8')))
  })
})
