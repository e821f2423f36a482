/**
 * The port of session records: what server storage keeps, a record per
 * session id with a version and a successor pointer, and the per-(audience,
 * subject) index that finds the sessions of a subject. Cookie storage never
 * uses it (the cookie holds the session).
 *
 * Times crossing the port are epoch SECONDS, like the reference's storage API.
 */
import type { SubjectRef } from './subject-ref.js'

/** A stored session record. `value` is the reference's layout: JSON `["<ciphertext>"]` or `[ct, "<info>"]`. */
export interface SessionRecord {
  readonly value: string
  /** Starts at 1; bumped by every change to this record. The compare-and-set token. */
  readonly version: number
  /**
   * Set when a rotation replaced this record: the 110-char cookie header of
   * the successor, so a request carrying this (now stale) cookie is served the
   * successor's data while `staleTtl` lasts.
   */
  readonly successor: string | null
  /** When the session (not this record) was created, epoch seconds; 0 when unknown (the reference wrote it). */
  readonly createdAt: number
  /** When this record was last written or touched, epoch seconds; 0 when unknown (the reference wrote it). */
  readonly updatedAt: number
  /** When this record expires, epoch seconds. */
  readonly expiresAt: number
}

/** Writes a record under `key`, optionally as the successor of `previous`. */
export interface WriteRequest {
  /** Cookie name: the reference's `name` (namespace of keys and indexes). */
  readonly name: string
  readonly key: string
  readonly value: string
  /** Seconds to live, >= 1. */
  readonly ttl: number
  readonly now: number
  readonly createdAt: number
  /**
   * Rotation: atomically, and only if the record at `key` still has
   * `version` and no successor, mark it replaced by `successor` and cut its
   * TTL to `staleTtl` (only where that shortens it). Otherwise nothing is
   * written and the result is `conflict`.
   */
  readonly previous?: {
    readonly key: string
    readonly version: number
    readonly successor: string
    readonly staleTtl: number
  }
  /** Index entries to add for `key` (and to drop for `previous.key`), expiring with the record. */
  readonly index: readonly SubjectRef[]
  /** A session joining its subject: at most `limit.max` live sessions, checked and enforced in this write. */
  readonly limit?: WriteLimit
}

/**
 * `maxSessionsPerSubject`, held inside the write itself so concurrent logins
 * cannot all pass it. The live sessions listed under `refs` (as `listIndex`
 * reads them: the any-audience ref covers every per-audience index), other
 * than `key` and `previous.key`, are counted; when there are already `max`,
 * the write either evicts the oldest (soonest expiry first) with their index
 * entries, or writes nothing and resolves to `full`.
 */
export interface WriteLimit {
  readonly refs: readonly SubjectRef[]
  readonly max: number
  readonly evict: boolean
}

/** An in-place update of a record (same key, same ciphertext), for the unencrypted info. */
export interface UpdateRequest {
  readonly name: string
  readonly key: string
  readonly value: string
  readonly version: number
  readonly now: number
}

/** A live index entry: a session key and when it expires (epoch seconds). */
export interface IndexEntry {
  readonly key: string
  readonly expiresAt: number
}

export type WriteResult = 'ok' | 'conflict'

/** A write that evicted sessions to stay within its limit: the values of the records it deleted. */
export interface Evicted {
  readonly evicted: readonly string[]
}

/** What a write did: `full` only for a limited write that may not evict. */
export type WriteOutcome = WriteResult | 'full' | Evicted

/**
 * Server-side storage of session records and the subject index. Every
 * function may reject (throw) when the backend is unreachable; the engine
 * turns that into `StoreUnavailable`. Expired entries must never be
 * returned, whether or not the backend has removed them yet.
 */
export interface SessionRecordStore {
  /** The record at `key`, or null when absent or expired. */
  readonly read: (name: string, key: string, now: number) => Promise<SessionRecord | null>
  /** Create a record (see WriteRequest). A fresh key that already exists is overwritten. */
  readonly write: (request: WriteRequest) => Promise<WriteOutcome>
  /** Replace the value of the record at `key` only if its version still matches. */
  readonly update: (request: UpdateRequest) => Promise<WriteResult>
  /**
   * Record activity between saves (a touch): raise `updatedAt` of the live
   * record at `key` to `at` (epoch seconds) when it is later, unless the
   * record has a successor or unknown times (the reference wrote it). The
   * value, version and expiry stay as they are. Absent keys are fine.
   */
  readonly touch: (name: string, key: string, at: number) => Promise<void>
  /** Delete the record at `key` and its entries in the given indexes. Absent keys are fine. */
  readonly remove: (name: string, key: string, index: readonly SubjectRef[]) => Promise<void>
  /** Live entries of one (audience, subject) index, oldest expiry first. */
  readonly listIndex: (name: string, ref: SubjectRef, now: number) => Promise<readonly IndexEntry[]>
  /**
   * Delete every live session in the `ref` index except those at `keep`, with
   * all their index entries; resolves to how many live sessions were deleted.
   */
  readonly removeIndexed: (name: string, ref: SubjectRef, keep: readonly string[], now: number) => Promise<number>
}

// Every function of the port, no more: the mapped type makes a missing or extra one a type error.
const RECORD: { readonly [K in keyof SessionRecordStore]: true } = {
  read: true,
  write: true,
  update: true,
  touch: true,
  remove: true,
  listIndex: true,
  removeIndexed: true,
}

/** The functions of `SessionRecordStore`: what the engine lifts and checks a server-storage store for. */
export const RECORD_FUNCTIONS = Object.keys(RECORD) as readonly (keyof SessionRecordStore)[]
