export { createSessionEngine } from './engine/engine.js'
export type { EventListener, SessionEvent } from './engine/events.js'
export type { Session } from './engine/session.js'
export type { SessionSummary } from './engine/subjects.js'
export type { EngineDeps, Outcome, SessionEngine, SessionRequest } from './engine/types.js'
export type {
  Closed,
  Conflict,
  Expired,
  InvalidCookie,
  InvalidData,
  InvalidReason,
  MissingAudience,
  MissingCookie,
  RejectedSession,
  Revoked,
  SessionError,
  SessionLimit,
  StoreUnavailable,
  Timeout,
  TooLarge,
  UnsavableData,
  UpstreamReadOnly,
} from './errors.js'
export { ConfigError, isKnownDead, isRejection } from './errors.js'
export { decodeOptions } from './options/options.js'
export type { EngineOptions, SessionHeaderName, SessionOptions } from './options/schema.js'
export type { Clock, RandomSource, SessionStore } from './ports/ports.js'
export type {
  Evicted,
  IndexEntry,
  SessionRecord,
  SessionRecordStore,
  UpdateRequest,
  WriteLimit,
  WriteOutcome,
  WriteRequest,
  WriteResult,
} from './ports/records.js'
export type { RevocationStore } from './ports/revocation.js'
export type { SubjectRef } from './ports/subject-ref.js'
export { ANY_AUDIENCE } from './ports/subject-ref.js'
export type { JsonValue, SessionData } from './wire/entries.js'
