/**
 * String keys to the slots 0..size-1 of a fixed table, first in first out:
 * claiming a slot for a new key takes the oldest key's. What the derived-key
 * cache and the recent-cookie table keep their entries by.
 */
export class SlotRing {
  private readonly slots = new Map<string, number>()
  private readonly keys: (string | undefined)[]
  private next = 0

  constructor(readonly size: number) {
    this.keys = new Array(size).fill(undefined)
  }

  /** The slot of a key still held, else undefined. */
  find(key: string): number | undefined {
    return this.slots.get(key)
  }

  /** A slot for a key not held: the oldest one, whose key is forgotten. */
  claim(key: string): number {
    const slot = this.next
    this.next = (slot + 1) % this.size
    const old = this.keys[slot]
    if (old !== undefined) this.slots.delete(old)
    this.keys[slot] = key
    this.slots.set(key, slot)
    return slot
  }
}
