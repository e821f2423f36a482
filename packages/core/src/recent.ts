import { SlotRing } from './ring.js'

/** What a cookie opened to: its plaintext, and in server storage the record ciphertext it came from. */
export interface Known {
  readonly plaintext: string
  readonly ct?: string | undefined
}

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

/**
 * Cookies this engine recently issued or opened, by their exact value, with
 * their plaintext: a browser sends back the cookie it was just given, and
 * opening the same bytes again needs neither the MAC nor AES (the timeout
 * policy and the data's schema still run on every open; in server storage
 * the record is still read, and must still hold the same ciphertext).
 * Strings only, so what it keeps costs the collector little; first in first out.
 * An entry lives at most `maxAge` seconds, and is dropped when its session is
 * logged out, destroyed or found revoked, so no plaintext outlives its session here.
 *
 * Only single-chunk session cookies under the primary secret and without
 * client binding are kept: for those the value alone decides what
 * authenticating it yields.
 */
export class RecentCookies {
  private readonly ring: SlotRing
  private readonly entries: (Entry | undefined)[]

  constructor(
    size = 256,
    private readonly maxAge = 120,
  ) {
    this.ring = new SlotRing(size)
    this.entries = new Array(size).fill(undefined)
  }

  /** What a cookie value seen before opened to (it was authenticated and decrypted then), if not too old. */
  get(value: string, now: number): Known | undefined {
    const slot = this.ring.find(keyOf(value))
    const entry = slot === undefined ? undefined : this.entries[slot]
    if (entry === undefined || entry.value !== value) return undefined
    if (now - entry.at <= this.maxAge) return entry
    this.entries[slot as number] = undefined
    return undefined
  }

  add(value: string, known: Known, now: number): void {
    const key = keyOf(value)
    const slot = this.ring.find(key)
    if (slot !== undefined && this.entries[slot] !== undefined) return
    this.entries[slot ?? this.ring.claim(key)] = { value, plaintext: known.plaintext, ct: known.ct, at: now }
  }

  /** Forgets a cookie value (its session ended): its plaintext is no longer held. */
  delete(value: string): void {
    const slot = this.ring.find(keyOf(value))
    if (slot !== undefined && this.entries[slot]?.value === value) this.entries[slot] = undefined
  }
}
