/** The store fixtures of `@tessera/test-kit`, typed with the port's own types for the contract suites. */
import type { SubjectRef, WriteRequest } from '@tessera/core'
import * as kit from '@tessera/test-kit'

export { NAME, nowSeconds, sid, storedValue, successorOf } from '@tessera/test-kit'

/** Builds a fresh-write request: one hour to live, created now, no index entries. */
export const fresh: (key: string, now: number, more?: Partial<WriteRequest>) => WriteRequest = kit.fresh

/** Shorthand for a subject reference. */
export const ref: (audience: string, subject: string) => SubjectRef = kit.ref
