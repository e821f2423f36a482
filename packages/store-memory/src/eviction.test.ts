import { ConfigError } from '@tessera/core'
import { fresh, NAME, nowSeconds, ref, sid } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'
import { createMemoryStore } from './index.js'

const now = nowSeconds()
const index = [ref('aud', 'sub'), ref('*', 'sub')]

describe('memory store bounds', () => {
  it('holds at most maxEntries after twice as many writes, keeping the most recent', async () => {
    const store = createMemoryStore({ maxEntries: 100, sweepIntervalMs: 0 })
    for (let i = 0; i < 200; i++) await store.write(fresh(sid(`${i}`), now, { index }))
    expect(store.size()).toBe(100)
    expect(await store.read(NAME, sid('99'), now)).toBeNull()
    expect(await store.read(NAME, sid('100'), now)).not.toBeNull()
    expect(await store.read(NAME, sid('199'), now)).not.toBeNull()
    expect(await store.listIndex(NAME, ref('*', 'sub'), now)).toHaveLength(100)
  })

  it('evicts the least recently used record, counting reads and updates as use', async () => {
    const store = createMemoryStore({ maxEntries: 3, sweepIntervalMs: 0 })
    for (const k of ['a', 'b', 'c']) await store.write(fresh(sid(k), now))
    await store.read(NAME, sid('a'), now)
    await store.update({ name: NAME, key: sid('b'), value: '["x"]', version: 1, now })
    await store.write(fresh(sid('d'), now))
    expect(await store.read(NAME, sid('c'), now)).toBeNull()
    for (const k of ['a', 'b', 'd']) expect(await store.read(NAME, sid(k), now)).not.toBeNull()
  })

  it('drops the index entries of an evicted record', async () => {
    const store = createMemoryStore({ maxEntries: 1, sweepIntervalMs: 0 })
    await store.write(fresh(sid('a'), now, { index }))
    await store.write(fresh(sid('b'), now))
    expect(await store.listIndex(NAME, ref('aud', 'sub'), now)).toEqual([])
  })

  it('evicts records only, never revocation marks, so a full store never un-revokes a session', async () => {
    const store = createMemoryStore({ maxEntries: 10, sweepIntervalMs: 0 })
    for (let i = 0; i < 5; i++) await store.deny(NAME, sid(`denied-${i}`), now + 60, now)
    await store.setNotBefore(NAME, ref('aud', 'sub'), now, now + 60)
    for (let i = 0; i < 20; i++) await store.write(fresh(sid(`${i}`), now))
    expect(store.size()).toBe(16)
    for (let i = 0; i < 5; i++) expect(await store.isDenied(NAME, sid(`denied-${i}`), now)).toBe(true)
    expect(await store.getNotBefore(NAME, [ref('aud', 'sub')], now)).toBe(now)
  })

  it('bounds revocation marks by maxMarks, refusing new ones rather than dropping old ones', async () => {
    const store = createMemoryStore({ maxMarks: 10, sweepIntervalMs: 0 })
    for (let i = 0; i < 5; i++) await store.deny(NAME, sid(`${i}`), now + 60, now)
    for (let i = 0; i < 5; i++) await store.setNotBefore(NAME, ref('aud', `${i}`), now, now + 60)
    await expect(store.deny(NAME, sid('late'), now + 60, now)).rejects.toThrow(/maxMarks/)
    await expect(store.setNotBefore(NAME, ref('aud', 'late'), now, now + 60)).rejects.toThrow(/maxMarks/)
    expect(store.size()).toBe(10)
    expect(await store.isDenied(NAME, sid('0'), now)).toBe(true)
    expect(await store.getNotBefore(NAME, [ref('aud', '0')], now)).toBe(now)
  })

  it('shares one budget between cookie names, taking from the name holding the most records', async () => {
    const store = createMemoryStore({ maxEntries: 4, sweepIntervalMs: 0 })
    for (const k of ['a', 'b', 'c']) await store.write(fresh(sid(k), now))
    await store.write(fresh(sid('x'), now, { name: 'other' }))
    await store.write(fresh(sid('y'), now, { name: 'other' }))
    expect(store.size()).toBe(4)
    expect(await store.read(NAME, sid('a'), now)).toBeNull()
    expect(await store.read('other', sid('x'), now)).not.toBeNull()
  })

  it('refuses options that cannot be meant', () => {
    expect(() => createMemoryStore({ maxEntries: 0 })).toThrow(ConfigError)
    expect(() => createMemoryStore({ sweepIntervalMs: -1 })).toThrow(ConfigError)
    expect(() => createMemoryStore({ maxMarks: 0 })).toThrow(ConfigError)
  })
})
