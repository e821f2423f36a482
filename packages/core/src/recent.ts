/**
 * Cookies this engine recently issued or opened, by their exact value, with
 * their plaintext: a browser sends back the cookie it was just given, and
 * opening the same bytes again needs neither the MAC nor AES (the timeout
 * policy and the data's schema still run on every open). Strings only, so
 * what it keeps costs the collector little; first in first out.
 *
 * Only single-chunk session cookies of cookie storage under the primary
 * secret and without client binding are kept: for those the value alone
 * decides what opening it yields.
 */
export class RecentCookies {
  private readonly plaintexts = new Map<string, string>()
  private readonly order: (string | undefined)[]
  private next = 0

  constructor(private readonly size = 256) {
    this.order = new Array(size).fill(undefined)
  }

  /** The plaintext of a cookie value seen before (already authenticated and decrypted then). */
  get(value: string): string | undefined {
    return this.plaintexts.get(value)
  }

  add(value: string, plaintext: string): void {
    if (this.plaintexts.has(value)) return
    const old = this.order[this.next]
    if (old !== undefined) this.plaintexts.delete(old)
    this.order[this.next] = value
    this.next = (this.next + 1) % this.size
    this.plaintexts.set(value, plaintext)
  }
}
