import type { WriteRequest } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { fresh, NAME, nowSeconds, ref, sid, successorOf } from '../fixtures.js'
import type { HarnessRef } from '../harness.js'

const index = [ref('aud', 'sub'), ref('*', 'sub')]

/** A rotation request replacing `from` (at `version`) with `to`, indexed like a real session. */
const rotation = (from: string, to: string, now: number, version = 1, staleTtl = 10): WriteRequest =>
  fresh(to, now, { index, previous: { key: from, version, successor: successorOf(to), staleTtl } })

/** Writes with `previous`: the compare-and-set at the heart of rotation. */
export function describeRotation(h: HarnessRef): void {
  describe('rotation', () => {
    it('writes the new record and marks the previous one with its successor and a bumped version', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('old'), now, { index }))
      expect(await store.write(rotation(sid('old'), sid('new'), now + 1))).toBe('ok')
      expect(await store.read(NAME, sid('new'), now + 1)).toMatchObject({ version: 1, successor: null })
      expect(await store.read(NAME, sid('old'), now + 1)).toMatchObject({
        version: 2,
        successor: successorOf(sid('new')),
      })
    })

    it("cuts the previous record's TTL to staleTtl when that shortens it", async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('old'), now, { ttl: 3600 }))
      await store.write(rotation(sid('old'), sid('new'), now + 1, 1, 10))
      expect(await store.read(NAME, sid('old'), now + 1)).toMatchObject({ expiresAt: now + 11 })
      expect(await store.read(NAME, sid('old'), now + 11)).toBeNull()
    })

    it('leaves a previous record that expires sooner than staleTtl to expire when it would have', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('old'), now, { ttl: 5 }))
      await store.write(rotation(sid('old'), sid('new'), now, 1, 10))
      expect(await store.read(NAME, sid('old'), now + 4)).toMatchObject({ expiresAt: now + 5 })
    })

    it('moves the index entries from the previous key to the new one', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('old'), now, { index }))
      await store.write(rotation(sid('old'), sid('new'), now))
      for (const r of index) {
        expect(await store.listIndex(NAME, r, now)).toEqual([{ key: sid('new'), expiresAt: now + 3600 }])
      }
    })

    it('refuses a second rotation from the same previous version and writes nothing', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('old'), now, { index }))
      await store.write(rotation(sid('old'), sid('first'), now))
      expect(await store.write(rotation(sid('old'), sid('second'), now))).toBe('conflict')
      expect(await store.read(NAME, sid('second'), now)).toBeNull()
      expect(await store.read(NAME, sid('old'), now)).toMatchObject({ successor: successorOf(sid('first')) })
      expect((await store.listIndex(NAME, ref('aud', 'sub'), now)).map((e) => e.key)).toEqual([sid('first')])
    })

    it('refuses to rotate a record that already has a successor, even at its current version', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('old'), now, { index }))
      await store.write(rotation(sid('old'), sid('first'), now))
      expect(await store.write(rotation(sid('old'), sid('second'), now, 2))).toBe('conflict')
      expect(await store.read(NAME, sid('second'), now)).toBeNull()
    })

    it('refuses a rotation from a missing previous record and writes nothing', async () => {
      const now = nowSeconds()
      const { store } = h()
      expect(await store.write(rotation(sid('absent'), sid('new'), now))).toBe('conflict')
      expect(await store.read(NAME, sid('new'), now)).toBeNull()
      expect(await store.listIndex(NAME, ref('aud', 'sub'), now)).toEqual([])
    })

    it('refuses a rotation from a previous record that has expired by the now given', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('old'), now, { ttl: 5 }))
      expect(await store.write(rotation(sid('old'), sid('new'), now + 5))).toBe('conflict')
      expect(await store.read(NAME, sid('new'), now + 5)).toBeNull()
    })

    it('lets exactly one of 50 concurrent rotations from the same previous version succeed', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('old'), now, { index }))
      const keys = Array.from({ length: 50 }, (_, i) => sid(`new-${i}`))
      const results = await Promise.all(keys.map((key) => store.write(rotation(sid('old'), key, now))))
      expect(results.filter((r) => r === 'ok')).toHaveLength(1)
      const winner = keys[results.indexOf('ok')]
      const survivors = await Promise.all(keys.map((key) => store.read(NAME, key, now)))
      expect(survivors.filter((r) => r !== null)).toHaveLength(1)
      expect(await store.read(NAME, sid('old'), now)).toMatchObject({ version: 2, successor: successorOf(winner!) })
      expect(await store.listIndex(NAME, ref('*', 'sub'), now)).toEqual([{ key: winner, expiresAt: now + 3600 }])
    })
  })
}
