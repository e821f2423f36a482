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
export { ConfigError, INVALID_REASON_IS_DEAD, isKnownDead, isRejection } from './errors.js'
export type { EngineOptions, ResolvedOptions, SessionHeaderName, SessionOptions } from './options/options.js'
export { decodeOptions } from './options/options.js'
export type {
  Clock,
  Evicted,
  IndexEntry,
  RandomSource,
  SessionRecord,
  SessionStore,
  SubjectRef,
  UpdateRequest,
  WriteLimit,
  WriteOutcome,
  WriteRequest,
  WriteResult,
} from './ports/ports.js'
export { ANY_AUDIENCE } from './ports/ports.js'
export type { JsonValue, SessionData } from './wire/entries.js'
