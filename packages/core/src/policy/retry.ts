/**
 * How a save that met a concurrent save of the same session (another app
 * node, or another request on this one) waits before it re-reads and tries
 * again: exponential backoff with full jitter, so that contenders spread out
 * instead of colliding again in lockstep, bounded by a total waiting budget.
 */
import type { RandomSource } from '../ports/ports.js'

/** The first retry waits up to this long, each further one up to twice as long... */
const BASE_MS = 4
/** ...but never longer than this. */
const CAP_MS = 100
/** A save gives up (`Conflict`) once its waits would add up to more than this. */
export const RETRY_BUDGET_MS = 2000

/** The wait before retry `attempt` (1 for the first retry): uniform in [0, min(cap, base·2^(attempt-1))]. */
export const retryDelay = (attempt: number, random: RandomSource): number => {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.min(attempt - 1, 16))
  const bytes = random.bytes(2)
  const fraction = ((bytes[0] ?? 0) * 256 + (bytes[1] ?? 0)) / 65_536
  return Math.floor(fraction * (ceiling + 1))
}

/** Resolves after `ms` milliseconds (at once for 0), on a timer that never keeps the process alive. */
export const pause = (ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms).unref())
