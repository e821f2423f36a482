import { describe, expect, it } from 'vitest'
import { fresh, NAME, nowSeconds, ref, sid, storedValue } from '../fixtures.js'
import type { HarnessRef } from '../harness.js'

/** Plain records: read, write, update, remove. */
export function describeRecords(h: HarnessRef): void {
  describe('records', () => {
    it('reads an absent key as null', async () => {
      expect(await h().store.read(NAME, sid('absent'), nowSeconds())).toBeNull()
    })

    it('reads a written record back with version 1, no successor and its times', async () => {
      const now = nowSeconds()
      const { store } = h()
      expect(await store.write(fresh(sid('a'), now, { ttl: 600, createdAt: now - 50 }))).toBe('ok')
      expect(await store.read(NAME, sid('a'), now)).toEqual({
        value: storedValue(sid('a')),
        version: 1,
        successor: null,
        createdAt: now - 50,
        updatedAt: now,
        expiresAt: now + 600,
      })
    })

    it('stops returning a record once its TTL has run out by the now given', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('a'), now, { ttl: 60 }))
      expect(await store.read(NAME, sid('a'), now + 59)).not.toBeNull()
      expect(await store.read(NAME, sid('a'), now + 60)).toBeNull()
    })

    it('keeps the records of one cookie name apart from another', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('a'), now))
      expect(await store.read('other', sid('a'), now)).toBeNull()
    })

    it('overwrites a fresh key that already exists', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('a'), now, { value: storedValue('old') }))
      expect(await store.write(fresh(sid('a'), now + 1, { value: storedValue('new'), ttl: 10 }))).toBe('ok')
      const record = await store.read(NAME, sid('a'), now + 1)
      expect(record).toMatchObject({ value: storedValue('new'), version: 1, expiresAt: now + 11 })
    })

    it('updates a record whose version matches: new value, bumped version, same TTL', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('a'), now, { ttl: 600 }))
      const update = { name: NAME, key: sid('a'), value: storedValue('info'), version: 1, now: now + 5 }
      expect(await store.update(update)).toBe('ok')
      expect(await store.read(NAME, sid('a'), now + 5)).toMatchObject({
        value: storedValue('info'),
        version: 2,
        createdAt: now,
        updatedAt: now + 5,
        expiresAt: now + 600,
      })
    })

    it('refuses an update with a stale version as a conflict and changes nothing', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('a'), now))
      await store.update({ name: NAME, key: sid('a'), value: storedValue('first'), version: 1, now })
      const stale = { name: NAME, key: sid('a'), value: storedValue('second'), version: 1, now }
      expect(await store.update(stale)).toBe('conflict')
      expect(await store.read(NAME, sid('a'), now)).toMatchObject({ value: storedValue('first'), version: 2 })
    })

    it('refuses an update of an absent record as a conflict', async () => {
      const now = nowSeconds()
      const update = { name: NAME, key: sid('absent'), value: storedValue('x'), version: 1, now }
      expect(await h().store.update(update)).toBe('conflict')
      expect(await h().store.read(NAME, sid('absent'), now)).toBeNull()
    })

    it('removes a record together with its index entries', async () => {
      const now = nowSeconds()
      const { store } = h()
      const index = [ref('aud', 'sub'), ref('*', 'sub')]
      await store.write(fresh(sid('a'), now, { index }))
      await store.remove(NAME, sid('a'), index)
      expect(await store.read(NAME, sid('a'), now)).toBeNull()
      expect(await store.listIndex(NAME, ref('aud', 'sub'), now)).toEqual([])
      expect(await store.listIndex(NAME, ref('*', 'sub'), now)).toEqual([])
    })

    it('removes an absent key without complaint', async () => {
      await expect(h().store.remove(NAME, sid('absent'), [ref('aud', 'sub')])).resolves.toBeUndefined()
    })
  })
}
