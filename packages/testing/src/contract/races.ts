import type { SessionStore, SubjectRef, WriteRequest } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { fresh, NAME, nowSeconds, ref, sid, successorOf } from '../fixtures.js'
import type { HarnessRef } from '../harness.js'

const rotation = (from: string, to: string, now: number, index: readonly SubjectRef[]): WriteRequest =>
  fresh(to, now, { index, previous: { key: from, version: 1, successor: successorOf(to), staleTtl: 10 } })

/** True when the record at `key` can still serve a session: live, and not replaced by a successor. */
const opens = async (store: SessionStore, key: string, now: number) => {
  const r = await store.read(NAME, key, now)
  return r !== null && r.successor === null
}

/**
 * One subject with `n` sessions; each session is saved (rotated) once while
 * the subject's sessions are removed, the removal going out among the saves.
 * Returns the keys that still open afterwards, and what the indexes still list.
 */
const raceOnce = async (store: SessionStore, subject: string, n: number, now: number) => {
  const index = [ref('aud', subject), ref('*', subject)]
  const from = Array.from({ length: n }, (_, i) => sid(`${subject}-s${i}`))
  const to = Array.from({ length: n }, (_, i) => sid(`${subject}-r${i}`))
  // Also a warm-up: a pooled store opens its connections now, not in the middle of the race.
  await Promise.all(from.map((key) => store.write(fresh(key, now, { index }))))
  const writes: Promise<unknown>[] = []
  let removal: Promise<number> = Promise.resolve(0)
  for (let j = 0; j < n; j++) {
    // Newest first: a store that walks its index in key or insertion order meets these last.
    const i = n - 1 - j
    if (j === Math.floor(n / 3)) removal = store.removeIndexed(NAME, ref('*', subject), [], now)
    writes.push(store.write(rotation(from[i] as string, to[i] as string, now, index)))
  }
  await Promise.all([...writes, removal])
  const keys = [...from, ...to]
  const open = await Promise.all(keys.map((key) => opens(store, key, now)))
  const survivors = keys.filter((_, i) => open[i])
  const listed = [...(await store.listIndex(NAME, index[0] as SubjectRef, now))]
  listed.push(...(await store.listIndex(NAME, index[1] as SubjectRef, now)))
  return { survivors, listed: listed.map((e) => e.key) }
}

/** Races between writers of one subject: "log out everywhere" against saves. */
export function describeRaces(h: HarnessRef): void {
  describe('races on one subject', () => {
    it('removeIndexed racing one rotation of each session of the subject leaves none (10 × 30 sessions)', async () => {
      const now = nowSeconds()
      const { store } = h()
      const survivors: string[] = []
      const listed: string[] = []
      for (let round = 0; round < 10; round++) {
        const result = await raceOnce(store, `sub${round}`, 30, now)
        survivors.push(...result.survivors)
        listed.push(...result.listed)
      }
      expect(survivors).toEqual([])
      expect(listed).toEqual([])
    }, 60_000)
  })
}
