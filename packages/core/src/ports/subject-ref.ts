/**
 * How a subject reaches storage, shared by both store ports: the session
 * records' subject index and the revocation marks' not-before marks.
 */

/**
 * The audience under which the engine also indexes every session. As a query
 * (`listIndex`, `removeIndexed`) it stands for every audience: the store
 * answers from the subject's index under each audience (the reference writes
 * only those) and from this one, each session once. It is not base64url, so
 * it never collides with an encoded audience.
 */
export const ANY_AUDIENCE = '*'

/**
 * One (audience, subject) pair as it reaches storage: the audience
 * base64url-encoded, the subject base64url-encoded or hashed (`hashSubject`).
 * Stores treat both as opaque strings and never see a raw subject.
 */
export interface SubjectRef {
  readonly audience: string
  readonly subject: string
  /**
   * The subject as lua-resty-session writes it for a cookie with several
   * audiences: raw, not encoded. Only ever read and ended, never written by
   * Tessera; a store whose keys escape unusual characters uses it as it is.
   */
  readonly verbatim?: boolean
}
