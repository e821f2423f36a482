import type {
  IndexEntry,
  SessionRecord,
  SessionStore,
  SubjectRef,
  UpdateRequest,
  WriteRequest,
  WriteResult,
} from '@tessera/core'
import { namespace, refId } from './keys.js'
import { type MemoryStoreOptions, resolveOptions } from './options.js'
import { drop, type Entry, emptyTables, entryCount, evict, link, sweep, touch, unlinkAll } from './tables.js'

/** The memory store: a `SessionStore` plus the handles a process that embeds it needs. */
export interface MemoryStore extends SessionStore {
  /** Drops everything expired at `now` (epoch seconds, default the clock's); returns how many records and marks went. */
  readonly sweep: (now?: number) => number
  /** Records plus revocation marks held, live or not yet swept. */
  readonly size: () => number
  /** Forgets everything. */
  readonly clear: () => void
  /** Stops the sweep timer; the store stays usable. */
  readonly close: () => void
}

const snapshot = (e: Entry): SessionRecord => ({
  value: e.value,
  version: e.version,
  successor: e.successor,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
  expiresAt: e.expiresAt,
})

/**
 * The embedded default store: bounded by `maxEntries` with LRU eviction, and
 * swept of expired entries on a timer that never keeps the process alive.
 *
 * @example
 * const store = createMemoryStore({ maxEntries: 50_000 })
 * const engine = createSessionEngine(options, { store })
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const { maxEntries, sweepIntervalMs, clock } = resolveOptions(options)
  let t = emptyTables()
  const sweepNow = (now = clock() / 1000): number => sweep(t, now)
  const timer = sweepIntervalMs > 0 ? setInterval(sweepNow, sweepIntervalMs) : undefined
  timer?.unref()

  /** The live record at `id`, or undefined. */
  const live = (id: string, now: number): Entry | undefined => {
    const entry = t.records.get(id)
    return entry !== undefined && entry.expiresAt > now ? entry : undefined
  }

  // Every port function does its work synchronously, so each is atomic with
  // respect to the others: no locks are needed for compare-and-set.
  const rotate = (ns: string, r: WriteRequest, previous: NonNullable<WriteRequest['previous']>): boolean => {
    const id = ns + previous.key
    const prev = live(id, r.now)
    if (prev === undefined || prev.version !== previous.version || prev.successor !== null) return false
    prev.successor = previous.successor
    prev.version++
    prev.updatedAt = r.now
    prev.expiresAt = Math.min(prev.expiresAt, r.now + previous.staleTtl)
    // A replaced record is only a grace pointer now, no longer anyone's
    // session: it leaves every index, not only those named in the request.
    unlinkAll(t, id, prev)
    return true
  }

  const write = (r: WriteRequest): WriteResult => {
    const ns = namespace(r.name)
    if (r.previous !== undefined && !rotate(ns, r, r.previous)) return 'conflict'
    const id = ns + r.key
    drop(t, id)
    const expiresAt = r.now + r.ttl
    const entry: Entry = {
      value: r.value,
      version: 1,
      successor: null,
      createdAt: r.createdAt,
      updatedAt: r.now,
      expiresAt,
      buckets: null,
    }
    t.records.set(id, entry)
    for (const ref of r.index) link(t, id, entry, refId(r.name, ref), expiresAt)
    evict(t, maxEntries)
    return 'ok'
  }

  const update = (r: UpdateRequest): WriteResult => {
    const id = namespace(r.name) + r.key
    const entry = live(id, r.now)
    if (entry === undefined || entry.version !== r.version) return 'conflict'
    entry.value = r.value
    entry.version++
    entry.updatedAt = r.now
    touch(t, id, entry)
    return 'ok'
  }

  const listIndex = (name: string, ref: SubjectRef, now: number): IndexEntry[] => {
    const bucket = t.index.get(refId(name, ref))
    if (bucket === undefined) return []
    const skip = namespace(name).length
    const out: IndexEntry[] = []
    for (const [id, expiresAt] of bucket.entries) {
      if (expiresAt > now) out.push({ key: id.slice(skip), expiresAt })
    }
    return out.sort((a, b) => a.expiresAt - b.expiresAt)
  }

  const removeIndexed = (name: string, ref: SubjectRef, keep: readonly string[], now: number): number => {
    const bucket = t.index.get(refId(name, ref))
    if (bucket === undefined) return 0
    const ns = namespace(name)
    const kept = new Set(keep.map((key) => ns + key))
    // Collect first: dropping a record edits the very Map being walked.
    const doomed = [...bucket.entries].filter(([id, expiresAt]) => expiresAt > now && !kept.has(id))
    let removed = 0
    for (const [id] of doomed) if (drop(t, id)) removed++
    return removed
  }

  const setNotBefore = (name: string, ref: SubjectRef, time: number, until: number): void => {
    const id = refId(name, ref)
    const mark = t.notBefore.get(id)
    if (mark === undefined) t.notBefore.set(id, { time, until })
    else {
      mark.time = Math.max(mark.time, time)
      mark.until = Math.max(mark.until, until)
    }
    evict(t, maxEntries)
  }

  const getNotBefore = (name: string, refs: readonly SubjectRef[], now: number): number | null => {
    let latest: number | null = null
    for (const ref of refs) {
      const mark = t.notBefore.get(refId(name, ref))
      if (mark !== undefined && mark.until > now && (latest === null || mark.time > latest)) latest = mark.time
    }
    return latest
  }

  return {
    read: async (name, key, now) => {
      const id = namespace(name) + key
      const entry = live(id, now)
      if (entry === undefined) return null
      touch(t, id, entry)
      return snapshot(entry)
    },
    write: async (request) => write(request),
    update: async (request) => update(request),
    remove: async (name, key) => {
      drop(t, namespace(name) + key)
    },
    listIndex: async (name, ref, now) => listIndex(name, ref, now),
    removeIndexed: async (name, ref, keep, now) => removeIndexed(name, ref, keep, now),
    deny: async (name, key, until) => {
      const id = namespace(name) + key
      t.denied.set(id, Math.max(t.denied.get(id) ?? until, until))
      evict(t, maxEntries)
    },
    isDenied: async (name, key, now) => (t.denied.get(namespace(name) + key) ?? now) > now,
    setNotBefore: async (name, ref, time, until) => setNotBefore(name, ref, time, until),
    getNotBefore: async (name, refs, now) => getNotBefore(name, refs, now),
    sweep: sweepNow,
    size: () => entryCount(t),
    clear: () => {
      t = emptyTables()
    },
    close: () => clearInterval(timer),
  }
}
