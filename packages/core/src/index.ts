export type {
  Closed,
  Conflict,
  Expired,
  InvalidCookie,
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
} from './errors.js'
export { ConfigError, isRejection } from './errors.js'
export type {
  Clock,
  IndexEntry,
  RandomSource,
  SessionRecord,
  SessionStore,
  SubjectRef,
  UpdateRequest,
  WriteRequest,
  WriteResult,
} from './ports.js'
export { ANY_AUDIENCE } from './ports.js'
