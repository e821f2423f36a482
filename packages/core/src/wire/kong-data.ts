/**
 * The data Kong's Session plugin keeps for an authenticated client: the JSON
 * array `[consumer_id, credential_id, groups?]` (its `set_session_data`), with
 * the consumer's username, custom id or id as the subject.
 */
import type { JsonValue } from './entries.js'

/** Who Kong authenticated, as its Session plugin stores it. */
export interface KongConsumer {
  readonly consumerId: string
  /** The credential's id; Kong stores the consumer id here when the credential has none. */
  readonly credentialId: string
  /** Kong's `authenticated_groups` (e.g. from an ACL or LDAP plugin); empty when it had none. */
  readonly groups: readonly string[]
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')

/** Groups as Kong stores them: absent or null, a list, or `{}` (cjson's empty Lua table). */
const groupsOf = (v: unknown): readonly string[] | undefined => {
  if (v === undefined || v === null) return []
  if (isStrings(v)) return v
  if (typeof v === 'object' && Object.keys(v).length === 0) return []
  return undefined
}

/**
 * Reads Kong's session data (a session's `value`), or undefined when the
 * value is not in Kong's shape.
 * @example
 * const kong = kongConsumerOf(session.value)
 * if (kong?.groups.includes('admins')) allow()
 */
export const kongConsumerOf = (value: unknown): KongConsumer | undefined => {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) return undefined
  const [consumerId, credentialId, rawGroups] = value as unknown[]
  if (typeof consumerId !== 'string' || typeof credentialId !== 'string') return undefined
  const groups = groupsOf(rawGroups)
  return groups === undefined ? undefined : { consumerId, credentialId, groups }
}

/**
 * Kong's session data for a consumer, for `session.replace`: what the plugin
 * itself writes (no groups: a two-element array).
 * @example
 * session.replace(kongSessionData({ consumerId, credentialId, groups: [] }))
 * session.setSubject(username)
 */
export const kongSessionData = (c: KongConsumer): JsonValue =>
  c.groups.length === 0 ? [c.consumerId, c.credentialId] : [c.consumerId, c.credentialId, [...c.groups]]
