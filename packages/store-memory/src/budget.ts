import { drop, type Space, spaceSize } from './space.js'

/** Records plus marks across every cookie name. */
export function totalSize(spaces: ReadonlyMap<string, Space>): number {
  let total = 0
  for (const s of spaces.values()) total += spaceSize(s)
  return total
}

function recordCount(spaces: ReadonlyMap<string, Space>): number {
  let total = 0
  for (const s of spaces.values()) total += s.records.size
  return total
}

// Only records are evicted: losing one logs a user out, while losing a
// revocation mark would bring a revoked session back (marks have a bound of
// their own, see `marks.ts`). With one cookie name (the usual deployment)
// this is exact LRU; with several, the name holding the most records gives
// up its least recently used one.
function victim(spaces: ReadonlyMap<string, Space>): Space | undefined {
  let best: Space | undefined
  for (const s of spaces.values()) {
    if (best === undefined || s.records.size > best.records.size) best = s
  }
  return best !== undefined && best.records.size > 0 ? best : undefined
}

/** Evicts least recently used records until at most `maxEntries` remain. */
export function evict(spaces: ReadonlyMap<string, Space>, maxEntries: number): void {
  for (let excess = recordCount(spaces) - maxEntries; excess > 0; excess--) {
    const s = victim(spaces)
    const record = s?.records.keys().next()
    if (s === undefined || record === undefined || record.done === true) return
    drop(s, record.value)
  }
}
