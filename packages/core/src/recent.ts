/** What a cookie opened to: its plaintext, and in server storage the record ciphertext it came from. */
export interface Known {
  readonly plaintext: string
  readonly ct?: string | undefined
}

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
  private readonly known = new Map<string, Known>()
  private readonly order: (string | undefined)[]
  private next = 0

  constructor(private readonly size = 256) {
    this.order = new Array(size).fill(undefined)
  }

  /** What a cookie value seen before opened to (it was authenticated and decrypted then). */
  get(value: string): Known | undefined {
    return this.known.get(value)
  }

  add(value: string, known: Known): void {
    if (this.known.has(value)) return
    const old = this.order[this.next]
    if (old !== undefined) this.known.delete(old)
    this.order[this.next] = value
    this.next = (this.next + 1) % this.size
    this.known.set(value, known)
  }
}
