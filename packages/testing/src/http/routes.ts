/**
 * The standard routes every binding mounts for the HTTP contract, written
 * once against the Promise session API so that each binding's test only
 * translates its framework's request and response.
 */
import { randomBytes } from 'node:crypto'
import type { HttpSession } from '@tessera/http'

/** The session data of the contract app. */
export type ContractData = { user: string; n: number; big: string }

/** What a route answers; the binding writes it with its framework's API. */
export interface ContractResult {
  readonly status?: number
  readonly json?: unknown
  readonly text?: string
  /** A Set-Cookie line the app itself sets (merged with the session's). */
  readonly appCookie?: string
}

/** A route: the session and the query string in, a result out. */
export type ContractRoute = (session: HttpSession<ContractData>, query: URLSearchParams) => Promise<ContractResult>

const read: ContractRoute = async (s) => ({ json: { id: s.id ?? null, data: await s.data() } })

/** Routes by `METHOD /path`. A request not listed answers 404. */
export const CONTRACT_ROUTES: Readonly<Record<string, ContractRoute>> = {
  'POST /login': async (s, q) => {
    const user = q.get('user') ?? 'alice'
    await s.set('user', user)
    await s.setSubject(user)
    if (q.has('remember')) await s.setRemember(true)
    await s.regenerate()
    return { json: { id: s.id ?? null } }
  },
  'GET /read': read,
  'POST /read': read,
  'DELETE /read': read,
  'POST /increment': async (s) => {
    const n = ((await s.get('n')) ?? 0) + 1
    await s.set('n', n)
    return { json: { n } }
  },
  'POST /big': async (s, q) => {
    // Random base64url does not deflate, so the cookie really needs the room.
    const size = Number(q.get('size') ?? '6000')
    await s.set('big', randomBytes(size).toString('base64url').slice(0, size))
    return { text: 'ok' }
  },
  'POST /app-logout': async (s) => {
    await s.logout()
    return { text: 'bye' }
  },
  'POST /bye': async () => ({ text: 'bye' }),
  'GET /plain': async () => ({ text: 'plain' }),
  'POST /app-cookie': async (s) => {
    await s.set('n', 7)
    return { text: 'ok', appCookie: 'theme=dark; Path=/' }
  },
  'GET /fail-status': async (s) => {
    await s.get('user')
    return { status: 418, text: 'teapot' }
  },
}

/** Finds the route of a request. */
export const contractRoute = (method: string, path: string): ContractRoute | undefined =>
  CONTRACT_ROUTES[`${method.toUpperCase()} ${path}`]
