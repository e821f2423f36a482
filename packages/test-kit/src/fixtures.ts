// The port's types are written out (only the fields these fixtures fill in),
// so that store packages can use them without depending on the contract suites.

/** An (audience, subject) pair, as `@tessera/core`'s `SubjectRef`. */
export interface SubjectRef {
  readonly audience: string
  readonly subject: string
}

/** The fields of a store write that `fresh` fills in; `more` adds or overrides any of the port's. */
export interface FreshWrite {
  readonly name: string
  readonly key: string
  readonly value: string
  readonly ttl: number
  readonly now: number
  readonly createdAt: number
  readonly index: readonly SubjectRef[]
}

// Real time rather than a fixed epoch: backends that expire by the wall clock
// (Redis TTLs, a Postgres purge) would otherwise drop a 2023-dated record at once.
/** The current wall-clock time in epoch seconds, the base every contract test counts from. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/** Cookie name most contract tests write under. */
export const NAME = 'session'

/** A session key shaped like a real one closely enough, readable in failure output. */
export const sid = (label: string): string => `sid-${label}`

/** A successor cookie header: the 110 characters the engine stores on a rotated record. */
export const successorOf = (key: string): string => `H${key}`.padEnd(110, '.')

/** A stored value in the reference's `["<ciphertext>"]` layout. */
export const storedValue = (label: string): string => JSON.stringify([`ct-${label}`])

/** Builds a fresh-write request: one hour to live, created now, no index entries. */
export const fresh = <M extends object = Record<never, never>>(key: string, now: number, more?: M): FreshWrite & M =>
  ({
    name: NAME,
    key,
    value: storedValue(key),
    ttl: 3600,
    now,
    createdAt: now,
    index: [],
    ...more,
  }) as FreshWrite & M

/** Shorthand for a subject reference. */
export const ref = (audience: string, subject: string): SubjectRef => ({ audience, subject })
