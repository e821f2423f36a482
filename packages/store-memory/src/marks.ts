/**
 * The bound on revocation marks. Marks are never evicted to make room (that
 * would let a logged-out cookie open again): when `maxMarks` are live, a new
 * mark is refused, loudly, and the logout that wanted it fails.
 */
import type { Space } from './space.js'

/** A new revocation mark was refused: `maxMarks` marks are live and none has expired. */
export class RevocationMarksFull extends Error {
  readonly _tag = 'RevocationMarksFull' as const
  constructor(readonly maxMarks: number) {
    super(`@tessera/store-memory: ${maxMarks} revocation marks are live (maxMarks); refusing a new one`)
    this.name = 'RevocationMarksFull'
  }
}

const markCount = (spaces: ReadonlyMap<string, Space>): number => {
  let total = 0
  for (const s of spaces.values()) total += s.denied.size + s.notBefore.size
  return total
}

const dropExpiredMarks = (spaces: ReadonlyMap<string, Space>, now: number): void => {
  for (const s of spaces.values()) {
    for (const [key, until] of s.denied) if (until <= now) s.denied.delete(key)
    for (const [id, mark] of s.notBefore) if (mark.until <= now) s.notBefore.delete(id)
  }
}

/**
 * Returns the check a new mark passes first: at the bound it drops the marks
 * expired at `now` (a full walk, at most once per second of `now`, so a flood
 * of refused logouts costs no more than one walk a second) and throws
 * `RevocationMarksFull` when that freed nothing.
 */
export const markBudget = (spaces: ReadonlyMap<string, Space>, maxMarks: number) => {
  let walkedAt = Number.NEGATIVE_INFINITY
  return (now: number): void => {
    if (markCount(spaces) < maxMarks) return
    if (now > walkedAt) {
      walkedAt = now
      dropExpiredMarks(spaces, now)
      if (markCount(spaces) < maxMarks) return
    }
    throw new RevocationMarksFull(maxMarks)
  }
}
