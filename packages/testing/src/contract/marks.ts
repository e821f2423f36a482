import type { RevocationStore } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { NAME, nowSeconds, ref, sid } from '../fixtures.js'
import type { HarnessRef, StoreHarness } from '../harness.js'

/** Revocation marks: the per-key denylist and the per-subject not-before marks. */
export function describeMarks(h: HarnessRef<StoreHarness<RevocationStore>>): void {
  describe('the denylist and not-before marks', () => {
    it('denies a key until `until` and no longer', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.deny(NAME, sid('a'), now + 60, now)
      expect(await store.isDenied(NAME, sid('a'), now)).toBe(true)
      expect(await store.isDenied(NAME, sid('a'), now + 59)).toBe(true)
      expect(await store.isDenied(NAME, sid('a'), now + 60)).toBe(false)
    })

    it('denies only the key given, under the cookie name given', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.deny(NAME, sid('a'), now + 60, now)
      expect(await store.isDenied(NAME, sid('b'), now)).toBe(false)
      expect(await store.isDenied('other', sid('a'), now)).toBe(false)
    })

    it('has no not-before mark for refs that were never marked', async () => {
      const now = nowSeconds()
      expect(await h().store.getNotBefore(NAME, [ref('aud', 'sub'), ref('*', 'sub')], now)).toBeNull()
      expect(await h().store.getNotBefore(NAME, [], now)).toBeNull()
    })

    it('never moves a not-before mark backwards', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.setNotBefore(NAME, ref('aud', 'sub'), now, now + 600)
      await store.setNotBefore(NAME, ref('aud', 'sub'), now - 100, now + 600)
      expect(await store.getNotBefore(NAME, [ref('aud', 'sub')], now)).toBe(now)
      await store.setNotBefore(NAME, ref('aud', 'sub'), now + 5, now + 600)
      expect(await store.getNotBefore(NAME, [ref('aud', 'sub')], now)).toBe(now + 5)
    })

    it('returns the latest not-before mark among the refs given', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.setNotBefore(NAME, ref('aud', 'sub'), now - 10, now + 600)
      await store.setNotBefore(NAME, ref('*', 'sub'), now - 5, now + 600)
      await store.setNotBefore(NAME, ref('aud', 'other'), now, now + 600)
      await store.setNotBefore('other', ref('aud', 'sub'), now, now + 600)
      const refs = [ref('aud', 'sub'), ref('*', 'sub'), ref('nobody', 'sub')]
      expect(await store.getNotBefore(NAME, refs, now)).toBe(now - 5)
      expect(await store.getNotBefore(NAME, [ref('aud', 'sub')], now)).toBe(now - 10)
    })

    it('lets a not-before mark expire at `until`', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.setNotBefore(NAME, ref('aud', 'sub'), now, now + 60)
      expect(await store.getNotBefore(NAME, [ref('aud', 'sub')], now + 59)).toBe(now)
      expect(await store.getNotBefore(NAME, [ref('aud', 'sub')], now + 60)).toBeNull()
    })
  })
}
