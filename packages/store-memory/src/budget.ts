import { drop, type Space, spaceSize } from './space.js'

/** Records plus marks across every cookie name. */
export function totalSize(spaces: ReadonlyMap<string, Space>): number {
  let total = 0
  for (const s of spaces.values()) total += spaceSize(s)
  return total
}

// Records go first: losing one logs a user out, while losing a revocation
// mark would bring a revoked session back. With one cookie name (the usual
// deployment) this is exact LRU; with several, the name holding the most
// records gives up its least recently used one.
function victim(spaces: ReadonlyMap<string, Space>): Space | undefined {
  let best: Space | undefined
  for (const s of spaces.values()) {
    if (best === undefined || s.records.size > best.records.size) best = s
  }
  if (best !== undefined && best.records.size > 0) return best
  for (const s of spaces.values()) {
    if (best === undefined || spaceSize(s) > spaceSize(best)) best = s
  }
  return best
}

function evictOne(s: Space): void {
  const record = s.records.keys().next()
  if (!record.done) {
    drop(s, record.value)
    return
  }
  const denied = s.denied.keys().next()
  if (!denied.done) {
    s.denied.delete(denied.value)
    return
  }
  const mark = s.notBefore.keys().next()
  if (!mark.done) s.notBefore.delete(mark.value)
}

/** Evicts until at most `maxEntries` records and marks remain. */
export function evict(spaces: ReadonlyMap<string, Space>, maxEntries: number): void {
  for (let excess = totalSize(spaces) - maxEntries; excess > 0; excess--) {
    const s = victim(spaces)
    if (s === undefined) return
    evictOne(s)
  }
}
