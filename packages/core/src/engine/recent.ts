/**
 * The recent-cookie table: a browser sends back the cookie it was just given,
 * and the exact bytes of a cookie issued or opened moments ago open to the
 * same plaintext, so reopening them needs neither the MAC nor AES. Every rule
 * of what may be kept, and when a kept one may be used, is in this module; the
 * `recentCookies` option turns the table off (see docs/decisions.md for what
 * it saves).
 */
import { FLAG_BIND_IP, FLAG_BIND_SCHEME, FLAG_BIND_USER_AGENT } from '../wire/header.js'

/** What a cookie opened to: its plaintext, and in server storage the record ciphertext it came from. */
interface Known {
  readonly plaintext: string
  readonly ct?: string | undefined
}

/** A cookie just issued, or just authenticated and decrypted, offered to the table. */
export interface Offered extends Known {
  readonly kind: 'session' | 'remember'
  /** The whole first cookie value (in server storage, the header: the cookie holds nothing else). */
  readonly value: string
  /** The header's flags. */
  readonly flags: number
  /** Whether it was sealed, or authenticated, under the primary secret. */
  readonly primary: boolean
  /** Whether the value holds the whole payload: one cookie, not chunks (in server storage, always). */
  readonly whole: boolean
}

/** The table as the engine uses it: look up, check a server record, keep, forget. */
export interface RecentCookies {
  /** What a session cookie value kept before opened to, if it is still kept. */
  readonly find: (kind: Offered['kind'], value: string | undefined, now: number) => Known | undefined
  /** Server storage: whether the record read for a kept header still holds what it opened to. */
  readonly holds: (seen: Known, ct: string, followed: boolean) => boolean
  /** Keeps a cookie, if the rules let its value alone decide what opening it yields. */
  readonly keep: (offered: Offered, now: number) => void
  /** Forgets a cookie value (its session ended): its plaintext is no longer held. */
  readonly forget: (value: string) => void
}

const BIND_FLAGS = FLAG_BIND_IP | FLAG_BIND_SCHEME | FLAG_BIND_USER_AGENT

/**
 * Only single-chunk session cookies under the primary secret and without
 * client binding are kept: for those the value alone decides what
 * authenticating it yields. A remember cookie's key is PBKDF2 on purpose, a
 * fallback secret's cookie is to be re-issued, a bound one must be checked
 * against the client, and a chunked one's other chunks are not in the value.
 */
const mayKeep = (o: Offered): boolean => o.kind === 'session' && o.primary && (o.flags & BIND_FLAGS) === 0 && o.whole

/** What the table keeps per cookie: the whole value (compared on a hit) and what it opened to. */
interface Entry extends Known {
  readonly value: string
  /** When it was kept, epoch seconds. */
  readonly at: number
}

/**
 * The table's key: the header's MAC characters (bytes 66..81). Unique per cookie for any practical
 * purpose and 22 characters to hash instead of the whole value; a hit still compares the whole value.
 */
const keyOf = (value: string): string => value.slice(88, 110)

const OFF: RecentCookies = {
  find: () => undefined,
  holds: () => false,
  keep: () => {},
  forget: () => {},
}

/**
 * The table, or (`enabled` false) one that keeps nothing. It holds the last
 * `size` cookies, first in first out, as strings so that what it keeps costs
 * the collector little. An entry lives at most `maxAge` seconds, and is
 * dropped when its session is logged out, destroyed, started over or found
 * revoked, so no plaintext outlives its session here. The timeout policy and
 * the data's schema still run on every open; in server storage the record is
 * still read, and must still hold the same ciphertext.
 */
export const createRecentCookies = (enabled: boolean, size = 256, maxAge = 120): RecentCookies => {
  if (!enabled) return OFF
  // A Map iterates in insertion order: its first key is the oldest entry.
  const entries = new Map<string, Entry>()
  return {
    find: (kind, value, now) => {
      if (kind !== 'session' || value === undefined) return undefined
      const key = keyOf(value)
      const entry = entries.get(key)
      if (entry === undefined || entry.value !== value) return undefined
      if (now - entry.at <= maxAge) return entry
      entries.delete(key)
      return undefined
    },
    // A record rotated since (its successor served) or rewritten holds other data than the kept plaintext.
    holds: (seen, ct, followed) => !followed && seen.ct === ct,
    keep: (offered, now) => {
      if (!mayKeep(offered)) return
      const key = keyOf(offered.value)
      if (entries.has(key)) return
      if (entries.size >= size) entries.delete(entries.keys().next().value as string)
      entries.set(key, { value: offered.value, plaintext: offered.plaintext, ct: offered.ct, at: now })
    },
    forget: (value) => {
      const key = keyOf(value)
      if (entries.get(key)?.value === value) entries.delete(key)
    },
  }
}
