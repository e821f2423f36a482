/**
 * `@tessera/core/internal`: what the HTTP edge (`@tessera/http`) needs from
 * core beyond the public API. Not for apps: names here may change in any
 * release.
 */

import { sessionHeaders } from './engine/headers.js'
import { type Session, SessionImpl } from './engine/session.js'
import type { SessionEngine } from './engine/types.js'
import type { SessionHeaderName } from './options/schema.js'
import type { SessionData } from './wire/entries.js'

export { isSessionEngine } from './engine/engine.js'
export { type SyncSeam, syncSeamOf } from './engine/seam.js'
export { NOTHING } from './engine/types.js'
export { INVALID_REASON_IS_DEAD } from './errors.js'
export { bindingNeeds } from './options/options.js'
export { systemRandom } from './ports/system.js'
export { parseCookieHeader } from './wire/cookies.js'

/** The reference's session headers of an open session, for the names asked (empty for a session of another engine). */
export const sessionHeadersOf = <D extends SessionData>(
  engine: SessionEngine<D>,
  session: Session<D>,
  names: readonly SessionHeaderName[],
  nowSeconds: number,
): Record<string, string> =>
  session instanceof SessionImpl ? sessionHeaders(engine.options, session as SessionImpl, names, nowSeconds) : {}
