import type { RevocationStore } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { fresh, NAME, nowSeconds, ref, sid } from '../fixtures.js'
import type { HarnessRef, StoreCapabilities, StoreHarness } from '../harness.js'

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

// Asking with the original `now` proves the backend dropped the data: a store
// that only filtered by `now` would still return it. Backdated writes are
// already expired by the wall clock, so a purge needs no waiting.

/** Expiry of session records and index entries by the backend itself, for stores that declare it. */
export function describeRecordExpiry<H extends StoreHarness>(
  h: HarnessRef<H>,
  capabilities: StoreCapabilities<H>,
): void {
  const { purge, realTtl = false } = capabilities
  describe('expiry by the backend', () => {
    it.runIf(realTtl)('drops expired records on its own, in real time', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('a'), now, { ttl: 1 }))
      await wait(2200)
      expect(await store.read(NAME, sid('a'), now)).toBeNull()
    })

    it.runIf(purge !== undefined)('purges the records that have expired and keeps what is live', async () => {
      const now = nowSeconds()
      const past = now - 100
      const { store } = h()
      const index = [ref('aud', 'sub')]
      await store.write(fresh(sid('dead'), past, { ttl: 10, index }))
      await store.write(fresh(sid('live'), now, { ttl: 3600, index }))
      await purge?.(h())
      expect(await store.read(NAME, sid('dead'), past)).toBeNull()
      expect(await store.read(NAME, sid('live'), now)).not.toBeNull()
      expect((await store.listIndex(NAME, ref('aud', 'sub'), past)).map((e) => e.key)).toEqual([sid('live')])
    })
  })
}

/** Expiry of revocation marks by the backend itself, for stores that declare it. */
export function describeMarkExpiry<H extends StoreHarness<RevocationStore>>(
  h: HarnessRef<H>,
  capabilities: StoreCapabilities<H>,
): void {
  const { purge, realTtl = false } = capabilities
  describe('expiry by the backend', () => {
    it.runIf(realTtl)('drops expired marks on its own, in real time', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.deny(NAME, sid('b'), now + 1, now)
      await store.setNotBefore(NAME, ref('aud', 'sub'), now, now + 1)
      await wait(2200)
      expect(await store.isDenied(NAME, sid('b'), now)).toBe(false)
      expect(await store.getNotBefore(NAME, [ref('aud', 'sub')], now)).toBeNull()
    })

    it.runIf(purge !== undefined)('purges the marks that have expired and keeps what is live', async () => {
      const now = nowSeconds()
      const past = now - 100
      const { store } = h()
      await store.deny(NAME, sid('dead'), past + 10, past)
      await store.deny(NAME, sid('live'), now + 3600, now)
      await store.setNotBefore(NAME, ref('aud', 'sub'), past, past + 10)
      await store.setNotBefore(NAME, ref('aud', 'other'), past, now + 3600)
      await purge?.(h())
      expect(await store.isDenied(NAME, sid('dead'), past)).toBe(false)
      expect(await store.isDenied(NAME, sid('live'), now)).toBe(true)
      expect(await store.getNotBefore(NAME, [ref('aud', 'sub')], past)).toBeNull()
      expect(await store.getNotBefore(NAME, [ref('aud', 'other')], now)).toBe(past)
    })
  })
}
