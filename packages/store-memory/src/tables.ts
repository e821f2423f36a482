/**
 * The memory store's state: three Maps sharing one entry budget, plus the
 * subject index hanging off the records. Map insertion order is the LRU order.
 */

/** One (cookie name, audience, subject) index: record id -> expiresAt. */
export interface Bucket {
  readonly id: string
  readonly entries: Map<string, number>
}

/** A stored record; mutable in place so a rotation or update allocates nothing. */
export interface Entry {
  value: string
  version: number
  successor: string | null
  createdAt: number
  updatedAt: number
  expiresAt: number
  // null rather than [] for the common unindexed record: one allocation fewer.
  buckets: Bucket[] | null
}

/** A not-before mark. */
export interface Mark {
  time: number
  until: number
}

/** All state, and the primitive moves that keep records, index and budget consistent. */
export interface Tables {
  readonly records: Map<string, Entry>
  readonly index: Map<string, Bucket>
  readonly denied: Map<string, number>
  readonly notBefore: Map<string, Mark>
}

/** Empty tables. */
export const emptyTables = (): Tables => ({
  records: new Map(),
  index: new Map(),
  denied: new Map(),
  notBefore: new Map(),
})

/** Records plus marks: what `maxEntries` bounds. */
export const entryCount = (t: Tables): number => t.records.size + t.denied.size + t.notBefore.size

/** Adds record `id` to the index `bucketId`, expiring at `expiresAt`. */
export function link(t: Tables, id: string, entry: Entry, bucketId: string, expiresAt: number): void {
  let bucket = t.index.get(bucketId)
  if (bucket === undefined) {
    bucket = { id: bucketId, entries: new Map() }
    t.index.set(bucketId, bucket)
  }
  if (!bucket.entries.has(id)) {
    if (entry.buckets === null) entry.buckets = [bucket]
    else entry.buckets.push(bucket)
  }
  bucket.entries.set(id, expiresAt)
}

/** Takes record `id` out of every index it is in. */
export function unlinkAll(t: Tables, id: string, entry: Entry): void {
  if (entry.buckets === null) return
  for (const bucket of entry.buckets) {
    bucket.entries.delete(id)
    // Empty buckets go, or a churn of one-off subjects would leak them.
    if (bucket.entries.size === 0) t.index.delete(bucket.id)
  }
  entry.buckets = null
}

/** Deletes record `id` and its index entries; true when it existed. */
export function drop(t: Tables, id: string): boolean {
  const entry = t.records.get(id)
  if (entry === undefined) return false
  unlinkAll(t, id, entry)
  t.records.delete(id)
  return true
}

/** Marks `id` as the most recently used record. */
export function touch(t: Tables, id: string, entry: Entry): void {
  t.records.delete(id)
  t.records.set(id, entry)
}

// Records go first: losing one logs a user out, while losing a revocation
// mark would bring a revoked session back. Marks go (oldest first) only when
// nothing else is left to make room.
/** Evicts until the budget holds. */
export function evict(t: Tables, maxEntries: number): void {
  while (entryCount(t) > maxEntries) {
    const oldest = t.records.keys().next()
    if (!oldest.done) {
      drop(t, oldest.value)
      continue
    }
    const denied = t.denied.keys().next()
    if (!denied.done) {
      t.denied.delete(denied.value)
      continue
    }
    const mark = t.notBefore.keys().next()
    if (!mark.done) t.notBefore.delete(mark.value)
  }
}

/** Drops everything expired at `now` (epoch seconds); resolves to how many records and marks went. */
export function sweep(t: Tables, now: number): number {
  let dropped = 0
  for (const [id, entry] of t.records) {
    if (entry.expiresAt <= now && drop(t, id)) dropped++
  }
  for (const [id, until] of t.denied) {
    if (until <= now && t.denied.delete(id)) dropped++
  }
  for (const [id, mark] of t.notBefore) {
    if (mark.until <= now && t.notBefore.delete(id)) dropped++
  }
  return dropped
}
