/** Remember cookies in server storage (cookie storage: packages/core/src/remember.test.ts). */
import * as crypto from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createSessionEngine, type SessionOptions, type SessionStore } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { cookieValueIn, fakeClock, requestWith, runLeft, runRight } from '@tessera/test-kit'
import { describe, expect, it, vi } from 'vitest'

// PBKDF2 on the thread pool is node:crypto's own; a test holds its results back (`held`) to control when slots free.
let held: Promise<void> = Promise.resolve()
vi.mock('node:crypto', async (actual) => {
  const real = await actual<typeof import('node:crypto')>()
  const pbkdf2 = (...args: unknown[]) => {
    const done = args.pop() as (error: Error | null, key: Buffer) => void
    const when = held
    ;(real.pbkdf2 as (...a: unknown[]) => void)(...args, (error: Error | null, key: Buffer) => {
      void when.then(() => done(error, key))
    })
  }
  return { ...real, pbkdf2: vi.fn(pbkdf2) }
})

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
const T0 = 1_700_000_000

const setup = (options: Partial<SessionOptions> = {}, store: SessionStore = createMemoryStore()) =>
  createSessionEngine(
    { secret: SECRET, remember: true, rememberSafety: 'Low', storage: 'server', ...options },
    { clock: fakeClock(T0), store },
  )

/** The storage key of a server-storage cookie: its session id (bytes 3..35 of the header), base64url. */
const keyOf = (value: string) => Buffer.from(value.slice(0, 110), 'base64url').subarray(3, 35).toString('base64url')

/** PBKDF2's salt for a cookie: "encryption:" and its session id, as the reference salts it. */
const saltOf = (value: string) => Buffer.concat([Buffer.from('encryption:'), Buffer.from(keyOf(value), 'base64url')])

/** Logs alice in with remember on; the values of the session and remember cookies the response set. */
const login = async (engine: ReturnType<typeof setup>) => {
  const s = await runRight(engine.start(requestWith()))
  s.set('user', 'alice')
  s.setSubject('alice')
  s.setRemember(true)
  const lines = (await runRight(engine.save(s))).setCookie
  return { session: cookieValueIn(lines, 'session'), remember: cookieValueIn(lines, 'remember') }
}

describe('one kind of cookie is never opened as the other', () => {
  it('a session cookie sent as the remember cookie is refused before any key is derived, in server storage', async () => {
    const engine = setup()
    const { session } = await login(engine)
    const left = await runLeft(engine.open(requestWith([`remember=${session}`])))
    expect(left).toMatchObject({ _tag: 'InvalidCookie', reason: 'kind' })
  })
})

describe('PBKDF2 of a remember cookie', () => {
  it('runs off the event loop, in server storage', async () => {
    const engine = setup({ rememberSafety: 'Very High' })
    const { remember } = await login(engine)
    const delay = monitorEventLoopDelay({ resolution: 5 })
    delay.enable()
    const opening = engine.open(requestWith([`remember=${remember}`]))()
    const beside = await new Promise<number>((resolve) => {
      const from = performance.now()
      setTimeout(() => resolve(performance.now() - from), 1)
    })
    const s = await opening
    delay.disable()
    expect(s._tag).toBe('Right')
    // Very High is about 450 ms of PBKDF2: the loop keeps turning meanwhile.
    expect(beside).toBeLessThan(150)
    expect(delay.max / 1e6).toBeLessThan(150)
  })
})

describe('a name sent twice, in server storage', () => {
  it('a session value whose record fails to decrypt does not stop the next: no slow key was spent', async () => {
    const store = createMemoryStore()
    let broken = ''
    // The record of one session has a ciphertext changed in one character: its header's MAC holds, AES-GCM fails.
    const tampering: SessionStore = {
      ...store,
      read: async (name, key, now) => {
        const record = await store.read(name, key, now)
        if (record === null || key !== broken) return record
        const [ct] = JSON.parse(record.value) as [string]
        return { ...record, value: JSON.stringify([(ct[0] === 'A' ? 'B' : 'A') + ct.slice(1)]) }
      },
    }
    const engine = setup({ remember: false }, tampering)
    const first = (await login(engine)).session
    const second = (await login(engine)).session
    broken = keyOf(first)
    // Not the value just issued: a process that never saw either reads both records.
    const reader = createSessionEngine(
      { secret: SECRET, storage: 'server' },
      { clock: fakeClock(T0), store: tampering },
    )
    expect(await runLeft(reader.open(requestWith([`session=${first}`])))).toEqual({
      _tag: 'InvalidCookie',
      reason: 'decrypt',
    })
    expect((await runRight(reader.open(requestWith([`session=${first}`, `session=${second}`])))).get('user')).toBe(
      'alice',
    )
  })

  it('a remember value not tried (busy) stops the next, even when a slot frees while its record is read', async () => {
    const store = createMemoryStore()
    let readGate: Promise<void> | undefined
    let gated = ''
    let waiting = false
    // The record of one remember cookie is read only once the test lets it.
    const slow: SessionStore = {
      ...store,
      read: async (name, key, now) => {
        if (key === gated) {
          waiting = true
          await readGate
        }
        return store.read(name, key, now)
      },
    }
    const engine = setup({}, slow)
    const first = (await login(engine)).remember
    const second = (await login(engine)).remember
    const client = { remoteAddress: '203.0.113.9' }
    let release = () => {}
    held = new Promise((resolve) => {
      release = resolve
    })
    const pbkdf2 = vi.mocked(crypto.pbkdf2)
    pbkdf2.mockClear()
    // This client's two derivations run, held back: its third is refused.
    const running = [0, 1].map(() => engine.open(requestWith([`remember=${first}`], client))())
    await vi.waitFor(() => expect(pbkdf2).toHaveBeenCalledTimes(2))
    let letRead = () => {}
    readGate = new Promise((resolve) => {
      letRead = resolve
    })
    gated = keyOf(second)
    let settled = false
    const both = engine.open(requestWith([`remember=${first}`, `remember=${second}`], client))()
    void both.then(() => {
      settled = true
    })
    // The first value is refused (busy). Had the second been tried, its read would wait here while the two derivations end.
    await vi.waitFor(() => expect(settled || waiting).toBe(true))
    release()
    for (const r of await Promise.all(running)) expect(r._tag).toBe('Right')
    letRead()
    expect(await both).toEqual({
      _tag: 'Left',
      left: { _tag: 'InvalidCookie', reason: 'busy', detail: 'too many remember-cookie keys being derived; not tried' },
    })
    // Derivations for opening (each reopened session then seals a new remember cookie under a new id).
    const derivedFor = (value: string) =>
      pbkdf2.mock.calls.filter((call) => Buffer.from(call[1] as Buffer).equals(saltOf(value))).length
    expect(derivedFor(first)).toBe(2)
    expect(derivedFor(second)).toBe(0)
  })
})
