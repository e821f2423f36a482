/**
 * The console's session options, Kong-shaped: the defaults below are what a
 * Kong Manager deployment writes in `admin_gui_session_conf`, and a JSON file
 * of that shape (`TESSERA_KONG_CONF`) replaces them field by field.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { SessionHeaderName, SessionOptions } from '@tessera/core'
import { fromKongConfig } from '@tessera/core/kong'

/** The session headers the pages read back (and the browser sees) for "idles out / renews / ends". */
const TIMEOUT_HEADERS: readonly SessionHeaderName[] = [
  'timeout',
  'idling-timeout',
  'rolling-timeout',
  'absolute-timeout',
]

const KONG_DEFAULTS = {
  // Kong's "kong" storage is Tessera's server storage: the record lives in the store, the cookie names it.
  storage: 'kong',
  store_metadata: true,
  cookie_name: 'admin_session',
  cookie_same_site: 'Strict',
  // Secure, as Kong's default: browsers keep Secure cookies on http://localhost, so the console works in
  // development too. Reached over plain HTTP on another host, it needs cookie_secure: false in TESSERA_KONG_CONF.
  cookie_secure: true,
  // The checkbox decides per login (setRemember); this only makes the engine read remember cookies.
  remember: true,
  read_body_for_logout: true,
  idling_timeout: 900,
  rolling_timeout: 3600,
  absolute_timeout: 86400,
} as const

/** Options plus what the operator should be told about them at start-up. */
export interface ConsoleConfig {
  readonly session: SessionOptions
  readonly notes: readonly string[]
}

/** The environment variables the console reads. */
export interface ConsoleEnv {
  readonly SESSION_SECRET?: string | undefined
  readonly TESSERA_KONG_CONF?: string | undefined
}

/** Builds the session options from the environment (and the Kong-shaped file it names). */
export const loadConfig = (env: ConsoleEnv, readFile = (path: string) => readFileSync(path, 'utf8')): ConsoleConfig => {
  const notes: string[] = []
  const file: Record<string, unknown> =
    env.TESSERA_KONG_CONF === undefined ? {} : (JSON.parse(readFile(env.TESSERA_KONG_CONF)) as Record<string, unknown>)
  if (env.TESSERA_KONG_CONF !== undefined) notes.push(`session options from ${env.TESSERA_KONG_CONF} (Kong format)`)
  let secret = env.SESSION_SECRET ?? (typeof file.secret === 'string' ? file.secret : undefined)
  if (secret === undefined) {
    secret = randomBytes(32).toString('base64url')
    notes.push('no SESSION_SECRET: using a random one, so every session ends when the console restarts')
  }
  const kong = fromKongConfig({ ...KONG_DEFAULTS, ...file, secret })
  if (kong.storage !== 'server' || kong.storeMetadata !== true) {
    notes.push('storage "kong" and store_metadata forced on: the sessions page lists records from the store')
  }
  const session: SessionOptions = {
    ...kong,
    storage: 'server',
    storeMetadata: true,
    responseHeaders: [...new Set([...(kong.responseHeaders ?? []), ...TIMEOUT_HEADERS])],
    // Not Kong fields: after the binding ends the session, the browser goes back to the login page.
    // readBody is forced on too: the logout button is a form field, as in Kong Manager.
    logout: { ...kong.logout, readBody: true, response: 'redirect', redirectTo: '/login?logged-out' },
  }
  return { session, notes }
}
