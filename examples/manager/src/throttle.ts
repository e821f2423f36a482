/**
 * Login throttling: failed sign-ins are counted per account and per client
 * address over a window; past the limit, that account or client is refused
 * (before any password check) until the window has passed.
 */

export interface ThrottleLimits {
  /** Failures of one account (from any client) before it is locked. Default 5. */
  readonly perAccount: number
  /** Failures from one client address (any accounts) before it is locked. Default 20. */
  readonly perClient: number
  /** The window the failures are counted over, and how long a lock lasts, in seconds. Default 900. */
  readonly windowSeconds: number
}

const DEFAULT_LIMITS: ThrottleLimits = { perAccount: 5, perClient: 20, windowSeconds: 900 }

/** Why a sign-in is refused before its password is checked, and for how long. */
interface Lock {
  readonly by: 'account' | 'client'
  readonly retryAfter: number
}

/** Failure times per key, kept only within the window; a bounded number of keys. */
const MAX_KEYS = 10_000

export interface LoginThrottle {
  /** A lock on this account or client, if either has failed too often. */
  check(account: string, client: string, now: number): Lock | undefined
  fail(account: string, client: string, now: number): void
  /** A correct password clears the account's failures (the client's stay). */
  succeed(account: string): void
}

export const createLoginThrottle = (limits: ThrottleLimits = DEFAULT_LIMITS): LoginThrottle => {
  const failures = new Map<string, number[]>()
  const recent = (key: string, now: number): number[] => {
    const times = (failures.get(key) ?? []).filter((t) => t > now - limits.windowSeconds)
    if (times.length === 0) failures.delete(key)
    else failures.set(key, times)
    return times
  }
  const lockOf = (key: string, limit: number, now: number): number | undefined => {
    const times = recent(key, now)
    if (times.length < limit) return undefined
    // Locked until the limit-th most recent failure leaves the window.
    return Math.max(1, (times[times.length - limit] ?? now) + limits.windowSeconds - now)
  }
  const add = (key: string, now: number) => {
    const times = recent(key, now)
    if (times.length === 0 && failures.size >= MAX_KEYS) {
      const oldest = failures.keys().next().value
      if (oldest !== undefined) failures.delete(oldest)
    }
    failures.set(key, [...times, now])
  }
  const accountKey = (a: string) => `account:${a.toLowerCase()}`
  const clientKey = (c: string) => `client:${c}`
  return {
    check: (account, client, now) => {
      const byAccount = lockOf(accountKey(account), limits.perAccount, now)
      if (byAccount !== undefined) return { by: 'account', retryAfter: byAccount }
      const byClient = lockOf(clientKey(client), limits.perClient, now)
      return byClient === undefined ? undefined : { by: 'client', retryAfter: byClient }
    },
    fail: (account, client, now) => {
      add(accountKey(account), now)
      add(clientKey(client), now)
    },
    succeed: (account) => {
      failures.delete(accountKey(account))
    },
  }
}
