import type { SessionStore, WriteLimit, WriteOutcome } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { fresh, NAME, nowSeconds, ref, sid } from '../fixtures.js'
import type { HarnessRef } from '../harness.js'

const LOGINS = 10
const MAX = 2

/** Logins of one subject racing, each a write under the limit; what each write answered. */
const racingLogins = (store: SessionStore, subject: string, evict: boolean, now: number) => {
  const index = [ref('YXVk', subject), ref('*', subject)]
  const limit: WriteLimit = { refs: [ref('*', subject)], max: MAX, evict }
  const keys = Array.from({ length: LOGINS }, (_, i) => sid(`${subject}-${i}`))
  return Promise.all(keys.map((key) => store.write(fresh(key, now, { index, limit })))).then((outcomes) =>
    outcomes.map((outcome, i) => ({ key: keys[i] as string, outcome })),
  )
}

/** The subject's sessions that are both listed and readable. */
const liveSessions = async (store: SessionStore, subject: string, now: number) => {
  const listed = await store.listIndex(NAME, ref('*', subject), now)
  const readable = await Promise.all(listed.map((e) => store.read(NAME, e.key, now)))
  return listed.filter((_, i) => readable[i] !== null).map((e) => e.key)
}

const evictedCount = (o: WriteOutcome) => (typeof o === 'object' ? o.evicted.length : 0)

/** `maxSessionsPerSubject` held inside the store's write: concurrent logins of one subject cannot all pass it. */
export function describeLimit(h: HarnessRef, storeName: string): void {
  describe('per-subject session limit', () => {
    it(`${LOGINS} concurrent logins of one subject with limit ${MAX}, evicting: exactly ${MAX} live`, async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.read(NAME, sid('warm-up'), now)
      const results = await racingLogins(store, 'crowd-evict', true, now)
      const live = await liveSessions(store, 'crowd-evict', now)
      const readable = await Promise.all(results.map((r) => store.read(NAME, r.key, now)))
      console.info(`[${storeName}] evict-oldest: ${live.length} live after ${LOGINS} concurrent logins (limit ${MAX})`)
      expect(results.every((r) => r.outcome === 'ok' || typeof r.outcome === 'object')).toBe(true)
      expect(live).toHaveLength(MAX)
      expect(readable.filter((r) => r !== null)).toHaveLength(MAX)
      expect(results.reduce((n, r) => n + evictedCount(r.outcome), 0)).toBe(LOGINS - MAX)
    })

    it(`${LOGINS} concurrent logins of one subject with limit ${MAX}, rejecting: ${MAX} succeed, the rest are full`, async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.read(NAME, sid('warm-up'), now)
      const results = await racingLogins(store, 'crowd-reject', false, now)
      const written = results.filter((r) => r.outcome === 'ok').map((r) => r.key)
      const full = results.filter((r) => r.outcome === 'full').map((r) => r.key)
      const live = await liveSessions(store, 'crowd-reject', now)
      const refused = await Promise.all(full.map((key) => store.read(NAME, key, now)))
      console.info(
        `[${storeName}] reject-new: ${live.length} live after ${LOGINS} concurrent logins (limit ${MAX}), ${full.length} full`,
      )
      expect(written).toHaveLength(MAX)
      expect(full).toHaveLength(LOGINS - MAX)
      expect(live.sort()).toEqual(written.sort())
      expect(refused.every((r) => r === null)).toBe(true)
    })

    it('evicts the oldest, leaves its index entries, and does not count the session a rotation replaces', async () => {
      const now = nowSeconds()
      const { store } = h()
      const index = [ref('YXVk', 'solo'), ref('*', 'solo')]
      const limit: WriteLimit = { refs: [ref('*', 'solo')], max: 2, evict: true }
      await store.write(fresh(sid('old'), now, { index, ttl: 100 }))
      await store.write(fresh(sid('mid'), now, { index, ttl: 200 }))
      const rotated = await store.write(
        fresh(sid('mid2'), now, {
          index,
          limit,
          previous: { key: sid('mid'), version: 1, successor: 'H'.padEnd(110, '.'), staleTtl: 10 },
        }),
      )
      expect(rotated).toBe('ok')
      const evicting = await store.write(fresh(sid('new'), now, { index, limit }))
      expect(evicting).toEqual({ evicted: [JSON.stringify([`ct-${sid('old')}`])] })
      expect(await store.read(NAME, sid('old'), now)).toBeNull()
      const listed = await store.listIndex(NAME, ref('YXVk', 'solo'), now)
      expect(listed.map((e) => e.key).sort()).toEqual([sid('mid2'), sid('new')])
    })
  })
}
