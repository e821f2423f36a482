/**
 * Logout detection as Kong's Session plugin does it (kong/plugins/session/
 * session.lua `logout`): the method must be a logout method, and then either
 * the query argument is present or, only with `readBody`, the body carries
 * the post argument.
 */
import type { EngineOptions } from '@tessera/core'

type LogoutOptions = EngineOptions['logout']

/** What the query string alone says: a logout, not one, or "look at the body". */
export type LogoutCheck = 'logout' | 'none' | 'body'

const queryHas = (url: string | undefined, arg: string): boolean => {
  if (url === undefined) return false
  const q = url.indexOf('?')
  if (q === -1) return false
  // Lua's get_uri_args gives `true` for a bare key and "" for `key=`: both truthy, so presence is enough.
  return new URLSearchParams(url.slice(q + 1)).has(arg)
}

/** Decides from the method and URL; 'body' means the binding must read the body and call `bodyRequestsLogout`. */
export const checkLogout = (o: LogoutOptions, method: string | undefined, url: string | undefined): LogoutCheck => {
  const m = (method ?? 'GET').toUpperCase()
  if (!o.methods.some((x) => x === m)) return 'none'
  if (queryHas(url, o.queryArg)) return 'logout'
  return o.readBody ? 'body' : 'none'
}

/**
 * Whether a parsed form or JSON body carries the post argument. Like Lua,
 * any value but false / null counts (an empty form value is a present key).
 */
export const bodyRequestsLogout = (o: LogoutOptions, body: unknown): boolean => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false
  if (!Object.hasOwn(body, o.postArg)) return false
  const value: unknown = (body as Record<string, unknown>)[o.postArg]
  return value !== false && value !== null && value !== undefined
}
