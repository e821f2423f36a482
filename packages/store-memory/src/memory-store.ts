import type {
  IndexEntry,
  SessionRecord,
  SessionStore,
  SubjectRef,
  UpdateRequest,
  WriteLimit,
  WriteOutcome,
  WriteRequest,
  WriteResult,
} from '@tessera/core'
import { evict, totalSize } from './budget.js'
import { markBudget } from './marks.js'
import { type MemoryStoreOptions, resolveOptions } from './options.js'
import { drop, type Entry, emptySpace, link, listed, markId, type Space, touch, unlinkAll } from './space.js'
import { type Sweepable, startSweeper, sweepAll } from './sweep.js'

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

type Rotation = NonNullable<WriteRequest['previous']>

const snapshot = (e: Entry): SessionRecord => ({
  value: e.value,
  version: e.version,
  successor: e.successor,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
  expiresAt: e.expiresAt,
})

// A loop, not flatMap: the exact-size array is what the record keeps, and
// flatMap's intermediate pairs cost a measurable share of a write.
const flatRefs = (index: readonly SubjectRef[]): string[] | null => {
  if (index.length === 0) return null
  const refs = new Array<string>(index.length * 2)
  for (let i = 0; i < index.length; i++) {
    refs[2 * i] = index[i]!.audience
    refs[2 * i + 1] = index[i]!.subject
  }
  return refs
}

/** The record at `key` if it is live at `now`. */
const live = (s: Space | undefined, key: string, now: number): Entry | undefined => {
  const entry = s?.records.get(key)
  return entry !== undefined && entry.expiresAt > now ? entry : undefined
}

/**
 * The embedded default store: bounded by `maxEntries` with LRU eviction, and
 * swept of expired entries on a timer that never keeps the process alive.
 *
 * @example
 * const store = createMemoryStore({ maxEntries: 50_000 })
 * const engine = createSessionEngine(options, { store })
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const { maxEntries, maxMarks, sweepIntervalMs, clock } = resolveOptions(options)
  const spaces = new Map<string, Space>()
  const space = (name: string): Space => {
    let s = spaces.get(name)
    if (s === undefined) {
      s = emptySpace()
      spaces.set(name, s)
    }
    return s
  }

  const admitMark = markBudget(spaces, maxMarks)
  const sweeping: Sweepable = { spaces, running: undefined }
  const sweep = (now = clock() / 1000): number => sweepAll(spaces, now)

  // Every port function does its work synchronously, so each is atomic with
  // respect to the others: compare-and-set needs no lock.
  const replaceable = (s: Space, now: number, previous: Rotation): Entry | undefined => {
    const prev = live(s, previous.key, now)
    return prev === undefined || prev.version !== previous.version || prev.successor !== null ? undefined : prev
  }

  const rotate = (s: Space, now: number, previous: Rotation, prev: Entry): void => {
    prev.successor = previous.successor
    prev.version++
    prev.updatedAt = now
    prev.expiresAt = Math.min(prev.expiresAt, now + previous.staleTtl)
    // A replaced record is only a grace pointer now, no longer anyone's
    // session: it leaves every index, not only those named in the request.
    unlinkAll(s, previous.key, prev)
  }

  /** The sessions a limited write must evict first (oldest expiry first), or `full` when it may not. */
  const beyondLimit = (s: Space, r: WriteRequest, limit: WriteLimit): string[] | 'full' => {
    const others = new Map<string, number>()
    for (const ref of limit.refs) {
      for (const key of listed(s, ref.audience, ref.subject)) {
        const entry = live(s, key, r.now)
        if (entry !== undefined && key !== r.key && key !== r.previous?.key) others.set(key, entry.expiresAt)
      }
    }
    const excess = others.size - limit.max + 1
    if (excess <= 0) return []
    if (!limit.evict) return 'full'
    const oldest = [...others].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1))
    return oldest.slice(0, excess).map(([key]) => key)
  }

  const write = (r: WriteRequest): WriteOutcome => {
    const s = space(r.name)
    const prev = r.previous === undefined ? undefined : replaceable(s, r.now, r.previous)
    if (r.previous !== undefined && prev === undefined) return 'conflict'
    const victims = r.limit === undefined ? [] : beyondLimit(s, r, r.limit)
    if (victims === 'full') return 'full'
    if (r.previous !== undefined && prev !== undefined) rotate(s, r.now, r.previous, prev)
    const evicted = victims.map((key) => s.records.get(key)?.value ?? '')
    for (const key of victims) drop(s, key)
    drop(s, r.key)
    const entry: Entry = {
      value: r.value,
      version: 1,
      successor: null,
      createdAt: r.createdAt,
      updatedAt: r.now,
      expiresAt: r.now + r.ttl,
      refs: flatRefs(r.index),
    }
    s.records.set(r.key, entry)
    // A duplicate ref is harmless: linking and unlinking twice are no-ops.
    for (const ref of r.index) link(s, ref.audience, ref.subject, r.key)
    evict(spaces, maxEntries)
    return evicted.length > 0 ? { evicted } : 'ok'
  }

  const update = (r: UpdateRequest): WriteResult => {
    const s = spaces.get(r.name)
    const entry = live(s, r.key, r.now)
    if (s === undefined || entry === undefined || entry.version !== r.version) return 'conflict'
    entry.value = r.value
    entry.version++
    entry.updatedAt = r.now
    touch(s, r.key, entry)
    return 'ok'
  }

  const listIndex = (name: string, ref: SubjectRef, now: number): IndexEntry[] => {
    const s = spaces.get(name)
    if (s === undefined) return []
    const out: IndexEntry[] = []
    for (const key of listed(s, ref.audience, ref.subject)) {
      const entry = live(s, key, now)
      if (entry !== undefined) out.push({ key, expiresAt: entry.expiresAt })
    }
    return out.sort((a, b) => a.expiresAt - b.expiresAt)
  }

  const removeIndexed = (name: string, ref: SubjectRef, keep: readonly string[], now: number): number => {
    const s = spaces.get(name)
    if (s === undefined) return 0
    let removed = 0
    for (const key of listed(s, ref.audience, ref.subject)) {
      if (!keep.includes(key) && live(s, key, now) !== undefined && drop(s, key)) removed++
    }
    return removed
  }

  const setNotBefore = (name: string, ref: SubjectRef, time: number, until: number): void => {
    const marks = space(name).notBefore
    const id = markId(ref.audience, ref.subject)
    const mark = marks.get(id)
    if (mark === undefined) {
      admitMark(time)
      marks.set(id, { time, until })
    } else {
      mark.time = Math.max(mark.time, time)
      mark.until = Math.max(mark.until, until)
    }
  }

  const getNotBefore = (name: string, refs: readonly SubjectRef[], now: number): number | null => {
    const marks = spaces.get(name)?.notBefore
    let latest: number | null = null
    for (const ref of refs) {
      const mark = marks?.get(markId(ref.audience, ref.subject))
      if (mark !== undefined && mark.until > now && (latest === null || mark.time > latest)) latest = mark.time
    }
    return latest
  }

  const deny = (name: string, key: string, until: number, now: number): void => {
    const denied = space(name).denied
    const current = denied.get(key)
    if (current === undefined) admitMark(now)
    denied.set(key, Math.max(current ?? until, until))
  }

  const store: MemoryStore = {
    read: async (name, key, now) => {
      const s = spaces.get(name)
      const entry = live(s, key, now)
      if (s === undefined || entry === undefined) return null
      touch(s, key, entry)
      return snapshot(entry)
    },
    write: async (request) => write(request),
    update: async (request) => update(request),
    touch: async (name, key, at) => {
      const entry = live(spaces.get(name), key, at)
      if (entry !== undefined && entry.successor === null && entry.updatedAt > 0) {
        entry.updatedAt = Math.max(entry.updatedAt, at)
      }
    },
    // The record knows every index it is in, so the refs passed are not needed.
    remove: async (name, key) => {
      const s = spaces.get(name)
      if (s !== undefined) drop(s, key)
    },
    listIndex: async (name, ref, now) => listIndex(name, ref, now),
    removeIndexed: async (name, ref, keep, now) => removeIndexed(name, ref, keep, now),
    deny: async (name, key, until, now) => deny(name, key, until, now),
    isDenied: async (name, key, now) => {
      const until = spaces.get(name)?.denied.get(key)
      return until !== undefined && until > now
    },
    setNotBefore: async (name, ref, time, until) => setNotBefore(name, ref, time, until),
    getNotBefore: async (name, refs, now) => getNotBefore(name, refs, now),
    sweep,
    size: () => totalSize(spaces),
    clear: () => spaces.clear(),
    close: () => {
      clearInterval(timer)
      sweeping.running = undefined
    },
  }
  const timer = sweepIntervalMs > 0 ? startSweeper(new WeakRef(sweeping), sweepIntervalMs, clock) : undefined
  return store
}
