/**
 * The keys derived for recent session ids, per secret, in one slab.
 *
 * A cookie is usually opened again soon after it was issued, and a touch needs
 * its MAC key again, so each id's AES key and IV (44 bytes) and MAC key (32
 * bytes) are kept. They are kept in a fixed slot of one Buffer, chosen by the
 * id's first two bytes (random in every id, ours and the reference's), with
 * the id beside them to tell a hit from another id of the same slot; a new id
 * takes its slot over. Nothing per id is allocated or retained: a Map of
 * per-id Buffers cost more garbage collection than the HMACs it saved
 * (docs/decisions.md, "Derived keys in one slab per secret"). Callers get
 * copies, so a key they hold never changes when its slot is taken over.
 */

/** Slots per secret: 1024 × 108 bytes, about 110 KB. */
export const SLOTS = 1024
const SID = 32
const ENCRYPTION = 44
const MAC = 32
const SLOT = SID + ENCRYPTION + MAC
const HAS_ENCRYPTION = 1
const HAS_MAC = 2

export class DerivedKeys {
  private readonly slab = Buffer.alloc(SLOTS * SLOT)
  /** Per slot: which parts its id has derived (0: the slot holds no id). */
  private readonly held = new Uint8Array(SLOTS)

  /** The AES key and IV of `sid` (44 bytes): `derive`d the first time, a copy of the kept ones after. */
  encryption(sid: Uint8Array, derive: () => Uint8Array): Buffer {
    return this.get(sid, HAS_ENCRYPTION, SID, ENCRYPTION, derive)
  }

  /** The MAC key of `sid` (32 bytes), as `encryption` does it. */
  mac(sid: Uint8Array, derive: () => Uint8Array): Buffer {
    return this.get(sid, HAS_MAC, SID + ENCRYPTION, MAC, derive)
  }

  /** Whether anything derived for `sid` is kept. */
  holds(sid: Uint8Array): boolean {
    const slot = slotOf(sid)
    return sid.length === SID && this.held[slot] !== 0 && this.isAt(sid, slot)
  }

  private isAt(sid: Uint8Array, slot: number): boolean {
    const at = slot * SLOT
    return this.slab.compare(sid, 0, SID, at, at + SID) === 0
  }

  private get(sid: Uint8Array, part: number, offset: number, length: number, derive: () => Uint8Array): Buffer {
    // Ids are always 32 bytes; anything else is derived each time rather than kept under a wrong slot.
    if (sid.length !== SID) return Buffer.from(derive())
    const slot = slotOf(sid)
    const at = slot * SLOT
    if (this.held[slot] === 0 || !this.isAt(sid, slot)) {
      this.held[slot] = 0
      this.slab.set(sid, at)
    }
    if (((this.held[slot] as number) & part) === 0) {
      this.slab.set(derive().subarray(0, length), at + offset)
      this.held[slot] = (this.held[slot] as number) | part
    }
    const copy = Buffer.allocUnsafe(length)
    this.slab.copy(copy, 0, at + offset, at + offset + length)
    return copy
  }
}

const slotOf = (sid: Uint8Array): number => (((sid[0] as number) << 8) | (sid[1] as number)) & (SLOTS - 1)
