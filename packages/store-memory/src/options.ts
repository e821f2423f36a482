import { ConfigError } from '@tessera/core'

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions {
  /**
   * Most session records held at once (a record's index entries live and die
   * with it). Beyond it the least recently used record goes. Default 100 000.
   */
  readonly maxEntries?: number
  /**
   * Most revocation marks (logged-out session ids and not-before marks) held
   * at once. A mark is never evicted: once this many are live, a new one is
   * refused with `RevocationMarksFull` (the logout fails and says so) until
   * marks expire. Default 100 000.
   */
  readonly maxMarks?: number
  /** How often expired entries are dropped without waiting for a read, ms; 0 turns the timer off. Default 60 000. */
  readonly sweepIntervalMs?: number
  /** Wall clock the sweep uses, epoch milliseconds. Default `Date.now`. */
  readonly clock?: () => number
}

/** Options with defaults filled in and checked. */
export interface ResolvedOptions {
  readonly maxEntries: number
  readonly maxMarks: number
  readonly sweepIntervalMs: number
  readonly clock: () => number
}

/** Fills in defaults; throws on values that can only be a programming mistake. */
export function resolveOptions(options: MemoryStoreOptions): ResolvedOptions {
  const { maxEntries = 100_000, maxMarks = 100_000, sweepIntervalMs = 60_000, clock = Date.now } = options
  const problems: string[] = []
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) problems.push('maxEntries: an integer >= 1')
  if (!Number.isSafeInteger(maxMarks) || maxMarks < 1) problems.push('maxMarks: an integer >= 1')
  if (!Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) problems.push('sweepIntervalMs: a number >= 0')
  if (problems.length > 0) throw new ConfigError(problems)
  return { maxEntries, maxMarks, sweepIntervalMs, clock }
}
