import type { SubjectRef } from '@tessera/core'

// Every composite key is length-prefixed, so no audience, subject or cookie
// name can forge another's key whatever characters it holds ('a:b' + 'c' vs
// 'a' + 'b:c').

/** The prefix all keys of one cookie name share; a record id is this plus the session key. */
export const namespace = (name: string): string => `${name.length}:${name}`

/** The id of one (cookie name, audience, subject) index or not-before mark. */
export const refId = (name: string, ref: SubjectRef): string =>
  `${namespace(name)}${ref.audience.length}:${ref.audience}${ref.subject}`
