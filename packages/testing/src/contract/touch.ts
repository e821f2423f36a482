import { describe, expect, it } from 'vitest'
import { fresh, NAME, nowSeconds, sid, storedValue, successorOf } from '../fixtures.js'
import type { HarnessRef } from '../harness.js'

/** `touch`: activity between saves raises `updatedAt` and changes nothing else. */
export function describeTouch(h: HarnessRef): void {
  describe('touch', () => {
    it('raises updatedAt and keeps the value, version and expiry', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('t'), now))
      await store.touch(NAME, sid('t'), now + 30)
      expect(await store.read(NAME, sid('t'), now + 30)).toEqual({
        value: storedValue(sid('t')),
        version: 1,
        successor: null,
        createdAt: now,
        updatedAt: now + 30,
        expiresAt: now + 3600,
      })
    })

    it('never lowers updatedAt, and leaves the record a save compares against as it was', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('t'), now))
      await store.touch(NAME, sid('t'), now + 30)
      await store.touch(NAME, sid('t'), now + 10)
      expect((await store.read(NAME, sid('t'), now + 30))?.updatedAt).toBe(now + 30)
      // A rotation that started before the touch still finds its version.
      const rotated = fresh(sid('t2'), now + 40, {
        previous: { key: sid('t'), version: 1, successor: successorOf(sid('t2')), staleTtl: 10 },
      })
      expect(await store.write(rotated)).toBe('ok')
    })

    it('leaves a replaced record alone, and an absent key is fine', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('a'), now))
      const previous = { key: sid('a'), version: 1, successor: successorOf(sid('b')), staleTtl: 60 }
      await store.write(fresh(sid('b'), now, { previous }))
      const before = await store.read(NAME, sid('a'), now)
      await store.touch(NAME, sid('a'), now + 5)
      await store.touch(NAME, sid('absent'), now + 5)
      expect(await store.read(NAME, sid('a'), now)).toEqual(before)
      expect(await store.read(NAME, sid('absent'), now + 5)).toBeNull()
    })
  })
}
