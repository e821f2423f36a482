export { createSessionEngine } from './engine.js'
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
export type { EventListener, SessionEvent } from './events.js'
export type { EngineOptions, ResolvedOptions, SessionHeaderName, SessionOptions } from './options.js'
export { decodeOptions } from './options.js'
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
} from './ports.js'
export { ANY_AUDIENCE } from './ports.js'
export type { Session } from './session.js'
export type { SessionSummary } from './subjects.js'
export type { EngineDeps, Outcome, SessionEngine, SessionRequest } from './types.js'
export type { JsonValue, SessionData } from './wire/entries.js'
