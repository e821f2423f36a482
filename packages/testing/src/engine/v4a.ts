/** The reference's own storage calls (vector v4a), reproduced through the engine on a real store. */
import type { SessionStore, SubjectRef } from '@tessera/core'
import { createSessionEngine } from '@tessera/core'
import { fakeClock, luaVector, optionsFromVector, requestWith, runRight, scriptedRandom } from '@tessera/test-kit'
import { expect, it } from 'vitest'
import type { HarnessRef } from '../harness.js'

interface StorageCall {
  readonly key: string
  readonly value: string
  readonly ttl: number
  readonly stale_ttl: number
  readonly now: number
  readonly metadata: { readonly audiences: string[]; readonly subjects: string[] }
}

export const describeV4a = (current: HarnessRef) => {
  const v = luaVector('v4a')
  const [save, rotation] = v.storage_calls as [StorageCall, StorageCall]
  const ref: SubjectRef = {
    audience: save.metadata.audiences[0] as string,
    subject: save.metadata.subjects[0] as string,
  }
  const rotated = v.rotate as { set_cookie: string[] }

  const setup = (store: SessionStore) => {
    const clock = fakeClock(save.now)
    const engine = createSessionEngine(optionsFromVector(v.config), {
      store,
      clock,
      random: scriptedRandom(save.key, rotation.key),
    })
    return { engine, clock }
  }

  it('v4a: a save writes the reference key, value, TTL and index entry, and sets its cookie', async () => {
    const { store } = current()
    const { engine } = setup(store)
    const s = await runRight(engine.start(requestWith()))
    s.set('role', 'admin')
    s.setSubject('john@example.com')
    expect((await runRight(engine.save(s))).setCookie).toEqual(v.set_cookie)
    const record = await store.read('session', save.key, save.now)
    expect(record?.value).toBe(save.value)
    expect((record?.expiresAt ?? 0) - save.now).toBe(save.ttl)
    expect(await store.listIndex('session', ref, save.now)).toEqual([{ key: save.key, expiresAt: save.now + save.ttl }])
  })

  it('v4a: the rotation at +2800 s writes the new record and cuts the old one to staleTtl', async () => {
    const { store } = current()
    const { engine, clock } = setup(store)
    const s = await runRight(engine.start(requestWith()))
    s.set('role', 'admin')
    s.setSubject('john@example.com')
    const first = await runRight(engine.save(s))
    clock.set(rotation.now)
    const again = await runRight(engine.start(requestWith(first.setCookie)))
    expect(again.get('role')).toBe('admin')
    expect(engine.outcome(again).setCookie).toEqual(rotated.set_cookie)
    const record = await store.read('session', rotation.key, rotation.now)
    expect(record?.value).toBe(rotation.value)
    expect((record?.expiresAt ?? 0) - rotation.now).toBe(rotation.ttl)
    const old = await store.read('session', save.key, rotation.now)
    expect((old?.expiresAt ?? 0) - rotation.now).toBe(rotation.stale_ttl)
    expect(old?.successor).toBe(cookieHeader(rotated.set_cookie[0] as string))
    expect((await store.listIndex('session', ref, rotation.now)).map((e) => e.key)).toEqual([rotation.key])
  })
}

const cookieHeader = (line: string) => (line.split(';')[0] ?? '').slice('session='.length)
