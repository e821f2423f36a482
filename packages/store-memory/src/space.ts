/**
 * The state of one cookie name. Records are keyed by the session key itself
 * and the index by audience then subject, so lookups hash the caller's flat
 * strings instead of building a composite id on every call.
 */
import { ANY_AUDIENCE } from '@tessera/core'

/** A stored record; mutable in place so a rotation or update allocates nothing. */
export interface Entry {
  value: string
  version: number
  successor: string | null
  createdAt: number
  updatedAt: number
  expiresAt: number
  /** The indexes listing this record as flat [audience, subject, audience, subject, …]; null when none. */
  refs: readonly string[] | null
}

// Index entries store no expiry: an entry always expires with its record (a
// rotated-away record leaves every index), so the record's expiresAt is read.
// Most subjects have one session, held as a bare key; a Set only when there
// are more. That keeps the index at about one Map slot per entry.
/** Session keys listed under one (audience, subject). */
type Bucket = string | Set<string>

/** A not-before mark. */
interface Mark {
  time: number
  until: number
}

/** Everything stored under one cookie name. Map insertion order is the LRU order. */
export interface Space {
  readonly records: Map<string, Entry>
  readonly index: Map<string, Map<string, Bucket>>
  readonly denied: Map<string, number>
  /** Keyed by `markId`: marks are few, so a composite key costs little here. */
  readonly notBefore: Map<string, Mark>
}

/** An empty space. */
export const emptySpace = (): Space => ({
  records: new Map(),
  index: new Map(),
  denied: new Map(),
  notBefore: new Map(),
})

// Length-prefixed so that ('a:b', 'c') and ('a', 'b:c') stay apart.
/** The key of the not-before mark of (audience, subject). */
export const markId = (audience: string, subject: string): string => `${audience.length}:${audience}${subject}`

/** Records plus marks: what `maxEntries` counts. */
export const spaceSize = (s: Space): number => s.records.size + s.denied.size + s.notBefore.size

/** Lists session `key` under (audience, subject). */
export function link(s: Space, audience: string, subject: string, key: string): void {
  let subjects = s.index.get(audience)
  if (subjects === undefined) {
    subjects = new Map()
    s.index.set(audience, subjects)
  }
  const bucket = subjects.get(subject)
  if (bucket === undefined) subjects.set(subject, key)
  else if (typeof bucket !== 'string') bucket.add(key)
  else if (bucket !== key) subjects.set(subject, new Set([bucket, key]))
}

function unlink(s: Space, audience: string, subject: string, key: string): void {
  const subjects = s.index.get(audience)
  const bucket = subjects?.get(subject)
  if (subjects === undefined || bucket === undefined) return
  if (typeof bucket === 'string') {
    if (bucket === key) subjects.delete(subject)
  } else {
    bucket.delete(key)
    // Back to a bare key (or nothing), or a churn of subjects would leave Sets behind.
    const [first, second] = bucket
    if (first === undefined) subjects.delete(subject)
    else if (second === undefined) subjects.set(subject, first)
  }
  if (subjects.size === 0) s.index.delete(audience)
}

/** Takes session `key` out of every index it is in. */
export function unlinkAll(s: Space, key: string, entry: Entry): void {
  const refs = entry.refs
  if (refs === null) return
  for (let i = 0; i + 1 < refs.length; i += 2) unlink(s, refs[i]!, refs[i + 1]!, key)
  entry.refs = null
}

/**
 * The keys listed under (audience, subject), copied so the caller may drop
 * records while walking them. The any-audience ref (`*`) lists the subject's
 * keys under every audience, each once.
 */
export function listed(s: Space, audience: string, subject: string): readonly string[] {
  if (audience !== ANY_AUDIENCE) return bucketKeys(s.index.get(audience)?.get(subject))
  const keys = new Set<string>()
  for (const subjects of s.index.values()) for (const key of bucketKeys(subjects.get(subject))) keys.add(key)
  return [...keys]
}

const bucketKeys = (bucket: Bucket | undefined): readonly string[] =>
  bucket === undefined ? [] : typeof bucket === 'string' ? [bucket] : [...bucket]

/** Deletes record `key` and its index entries; true when it existed. */
export function drop(s: Space, key: string): boolean {
  const entry = s.records.get(key)
  if (entry === undefined) return false
  unlinkAll(s, key, entry)
  s.records.delete(key)
  return true
}

/** Marks `key` as the most recently used record. */
export function touch(s: Space, key: string, entry: Entry): void {
  s.records.delete(key)
  s.records.set(key, entry)
}
