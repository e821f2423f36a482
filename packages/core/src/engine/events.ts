/** Events the engine emits, for audit logs and metrics. */
import type { SessionError } from '../errors.js'

export type SessionEvent =
  | { readonly type: 'created'; readonly id: string; readonly audience: string; readonly subject: string | undefined }
  | { readonly type: 'rotated'; readonly id: string; readonly previousId: string; readonly audience: string }
  | { readonly type: 'touched'; readonly id: string; readonly audience: string }
  | { readonly type: 'destroyed'; readonly id: string; readonly audience: string }
  | { readonly type: 'expired'; readonly timeout: 'idle' | 'rolling' | 'absolute'; readonly remember: boolean }
  | { readonly type: 'rejected'; readonly reason: SessionError }
  /** A cookie this app cannot judge (see `isKnownDead`) was left as it is; the request went on anonymous. */
  | { readonly type: 'ignored'; readonly reason: SessionError }
  | { readonly type: 'invalidated'; readonly subject: string; readonly count: number }

/** Receives engine events. It must not throw; if it does, the error is swallowed. */
export type EventListener = (event: SessionEvent) => void
