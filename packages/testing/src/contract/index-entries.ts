import type { SubjectRef } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { fresh, NAME, nowSeconds, ref, sid } from '../fixtures.js'
import type { HarnessRef } from '../harness.js'

// Each pair would collide in a store that builds keys by joining with ':' or
// matches with LIKE, glob or regex patterns.
const tricky: readonly SubjectRef[] = [
  ref('a:b', 'c'),
  ref('a', 'b:c'),
  ref('aud', 'x%'),
  ref('aud', 'x_'),
  ref('aud', 'xy'),
  ref('aud', 'x*'),
  ref('aud', 'x?'),
  ref('aud', 'x[y]'),
  ref('aud', 'x\\'),
  ref('aud', `x'"`),
  ref('aud', 'zürich ✓ 𝄞'),
  ref('%', '_'),
]

/** The per-(audience, subject) index: listIndex and removeIndexed. */
export function describeIndex(h: HarnessRef): void {
  describe('subject index', () => {
    it('lists live entries soonest expiry first, each with its expiresAt', async () => {
      const now = nowSeconds()
      const { store } = h()
      const index = [ref('aud', 'sub')]
      await store.write(fresh(sid('long'), now, { ttl: 300, index }))
      await store.write(fresh(sid('short'), now, { ttl: 100, index }))
      await store.write(fresh(sid('mid'), now, { ttl: 200, index }))
      expect(await store.listIndex(NAME, ref('aud', 'sub'), now)).toEqual([
        { key: sid('short'), expiresAt: now + 100 },
        { key: sid('mid'), expiresAt: now + 200 },
        { key: sid('long'), expiresAt: now + 300 },
      ])
    })

    it('leaves out entries that have expired by the now given', async () => {
      const now = nowSeconds()
      const { store } = h()
      const index = [ref('aud', 'sub')]
      await store.write(fresh(sid('short'), now, { ttl: 100, index }))
      await store.write(fresh(sid('long'), now, { ttl: 300, index }))
      expect(await store.listIndex(NAME, ref('aud', 'sub'), now + 100)).toEqual([
        { key: sid('long'), expiresAt: now + 300 },
      ])
    })

    it('keeps each (audience, subject) index, under each cookie name, apart', async () => {
      const now = nowSeconds()
      const { store } = h()
      await store.write(fresh(sid('a'), now, { index: [ref('aud', 'sub')] }))
      await store.write(fresh(sid('b'), now, { index: [ref('aud', 'other')] }))
      await store.write(fresh(sid('c'), now, { index: [ref('other', 'sub')] }))
      await store.write(fresh(sid('d'), now, { name: 'other', index: [ref('aud', 'sub')] }))
      expect((await store.listIndex(NAME, ref('aud', 'sub'), now)).map((e) => e.key)).toEqual([sid('a')])
      expect((await store.listIndex('other', ref('aud', 'sub'), now)).map((e) => e.key)).toEqual([sid('d')])
      expect(await store.listIndex(NAME, ref('nobody', 'nothing'), now)).toEqual([])
    })

    it('matches audiences and subjects literally, whatever characters they hold', async () => {
      const now = nowSeconds()
      const { store } = h()
      for (const [i, r] of tricky.entries()) await store.write(fresh(sid(`t${i}`), now, { index: [r] }))
      for (const [i, r] of tricky.entries()) {
        expect((await store.listIndex(NAME, r, now)).map((e) => e.key)).toEqual([sid(`t${i}`)])
      }
      expect(await store.removeIndexed(NAME, ref('aud', 'x%'), [], now)).toBe(1)
      expect(await store.removeIndexed(NAME, ref('aud', 'x_'), [], now)).toBe(1)
      expect(await store.read(NAME, sid('t4'), now)).not.toBeNull()
    })

    it('removes every live session of an index except those kept, and counts them', async () => {
      const now = nowSeconds()
      const { store } = h()
      const index = [ref('aud', 'sub')]
      for (const k of ['a', 'b', 'c']) await store.write(fresh(sid(k), now, { index }))
      await store.write(fresh(sid('elsewhere'), now, { index: [ref('aud', 'someone')] }))
      expect(await store.removeIndexed(NAME, ref('aud', 'sub'), [sid('b')], now)).toBe(2)
      expect(await store.read(NAME, sid('a'), now)).toBeNull()
      expect(await store.read(NAME, sid('c'), now)).toBeNull()
      expect(await store.read(NAME, sid('b'), now)).not.toBeNull()
      expect(await store.read(NAME, sid('elsewhere'), now)).not.toBeNull()
      expect((await store.listIndex(NAME, ref('aud', 'sub'), now)).map((e) => e.key)).toEqual([sid('b')])
    })

    it('drops the removed sessions from the other indexes they were in too', async () => {
      const now = nowSeconds()
      const { store } = h()
      const index = [ref('aud', 'sub'), ref('*', 'sub')]
      await store.write(fresh(sid('a'), now, { index }))
      await store.write(fresh(sid('b'), now, { index: [ref('other', 'sub'), ref('*', 'sub')] }))
      expect(await store.removeIndexed(NAME, ref('*', 'sub'), [], now)).toBe(2)
      expect(await store.listIndex(NAME, ref('aud', 'sub'), now)).toEqual([])
      expect(await store.listIndex(NAME, ref('other', 'sub'), now)).toEqual([])
      expect(await store.listIndex(NAME, ref('*', 'sub'), now)).toEqual([])
    })

    it('any audience (*) covers every per-audience index of the subject too, each session once', async () => {
      const now = nowSeconds()
      const { store } = h()
      // The reference writes only per-audience entries; Tessera adds its own '*' entry.
      await store.write(fresh(sid('a'), now, { ttl: 300, index: [ref('aud', 'sub')] }))
      await store.write(fresh(sid('b'), now, { ttl: 100, index: [ref('other', 'sub'), ref('aud', 'sub')] }))
      await store.write(fresh(sid('c'), now, { ttl: 200, index: [ref('aud', 'sub'), ref('*', 'sub')] }))
      await store.write(fresh(sid('gone'), now, { ttl: 10, index: [ref('aud', 'sub')] }))
      await store.write(fresh(sid('someone'), now, { index: [ref('aud', 'someone')] }))
      await store.write(fresh(sid('x*'), now, { index: [ref('aud', 'x*')] }))
      await store.write(fresh(sid('xy'), now, { index: [ref('aud', 'xy')] }))
      await store.write(fresh(sid('named'), now, { name: 'other', index: [ref('aud', 'sub')] }))
      expect(await store.listIndex(NAME, ref('*', 'sub'), now + 10)).toEqual([
        { key: sid('b'), expiresAt: now + 100 },
        { key: sid('c'), expiresAt: now + 200 },
        { key: sid('a'), expiresAt: now + 300 },
      ])
      expect((await store.listIndex(NAME, ref('*', 'x*'), now)).map((e) => e.key)).toEqual([sid('x*')])
      expect(await store.removeIndexed(NAME, ref('*', 'sub'), [sid('c')], now + 10)).toBe(2)
      expect((await store.listIndex(NAME, ref('*', 'sub'), now + 10)).map((e) => e.key)).toEqual([sid('c')])
      for (const kept of ['c', 'someone', 'xy']) expect(await store.read(NAME, sid(kept), now)).not.toBeNull()
      expect(await store.read('other', sid('named'), now)).not.toBeNull()
    })

    it('counts only live sessions when removing, and nothing for an empty index', async () => {
      const now = nowSeconds()
      const { store } = h()
      const index = [ref('aud', 'sub')]
      await store.write(fresh(sid('short'), now, { ttl: 10, index }))
      await store.write(fresh(sid('long'), now, { ttl: 100, index }))
      expect(await store.removeIndexed(NAME, ref('aud', 'sub'), [], now + 10)).toBe(1)
      expect(await store.removeIndexed(NAME, ref('nobody', 'nothing'), [], now)).toBe(0)
    })
  })
}
