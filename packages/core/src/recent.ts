import { SlotRing } from './ring.js'

/** What a cookie opened to: its plaintext, and in server storage the record ciphertext it came from. */
export interface Known {
  readonly plaintext: string
  readonly ct?: string | undefined
}

/** What the table keeps per cookie: the whole value (compared on a hit) and what it opened to. */
interface Entry extends Known {
  readonly value: string
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
 *
 * Only single-chunk session cookies under the primary secret and without
 * client binding are kept: for those the value alone decides what
 * authenticating it yields.
 */
export class RecentCookies {
  private readonly ring: SlotRing
  private readonly entries: (Entry | undefined)[]

  constructor(size = 256) {
    this.ring = new SlotRing(size)
    this.entries = new Array(size).fill(undefined)
  }

  /** What a cookie value seen before opened to (it was authenticated and decrypted then). */
  get(value: string): Known | undefined {
    const slot = this.ring.find(keyOf(value))
    const entry = slot === undefined ? undefined : this.entries[slot]
    return entry !== undefined && entry.value === value ? entry : undefined
  }

  add(value: string, known: Known): void {
    const key = keyOf(value)
    if (this.ring.find(key) !== undefined) return
    this.entries[this.ring.claim(key)] = { value, plaintext: known.plaintext, ct: known.ct }
  }
}
