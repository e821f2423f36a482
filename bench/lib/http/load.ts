// The load generator: autocannon 8.0.0 with one cookie jar per connection.
// Each connection starts from its own logged-in session and follows every
// Set-Cookie it is sent (a rotated session id, a re-sealed iron seal, koa-session's
// new value and signature), like a browser would, before its next request.
import { request } from 'node:http'
import { createRequire } from 'node:module'

// autocannon ships no types: the part of its API used here (see its README, "setupClient").
interface Client {
  setHeaders(headers: Record<string, string>): void
  on(event: 'headers', listener: (info: { statusCode: number; headers: string[] }) => void): this
  on(event: 'response', listener: (status: number, bytes: number, ms: number) => void): this
}
interface Result {
  duration: number
  errors: number
  timeouts: number
  non2xx: number
  requests: { total: number }
}
type Autocannon = (options: {
  url: string
  connections: number
  pipelining: number
  duration: number
  sampleInt: number
  setupClient: (client: Client) => void
}) => Promise<Result>

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

export type Jar = Map<string, string>

/** Applies Set-Cookie lines to a jar (a cleared cookie is dropped). */
const applySetCookie = (jar: Jar, lines: readonly string[]): void => {
  for (const line of lines) {
    const eq = line.indexOf('=')
    if (eq <= 0) continue
    const end = line.indexOf(';', eq)
    const name = line.slice(0, eq).trim()
    const value = line.slice(eq + 1, end === -1 ? line.length : end).trim()
    const attributes = end === -1 ? '' : line.slice(end).toLowerCase()
    if (value === '' || attributes.includes('max-age=0') || attributes.includes('expires=thu, 01 jan 1970'))
      jar.delete(name)
    else jar.set(name, value)
  }
}

const cookieHeader = (jar: Jar): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')

/** One GET on a fresh connection: status, body and the jar updated from Set-Cookie. */
export const get = (port: number, path: string, jar: Jar): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = jar.size > 0 ? { cookie: cookieHeader(jar) } : {}
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        applySetCookie(jar, res.headers['set-cookie'] ?? [])
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })

export interface LoadResult {
  readonly rps: number
  readonly total: number
  readonly failed: number
  /** Per-request latency as the load generator saw it (write to last byte), ms, µs resolution. */
  readonly latencies: Float64Array
  /** The jars as they stood at the end, and how many responses each connection got. */
  readonly jars: readonly Jar[]
  readonly responses: readonly number[]
}

export interface LoadOptions {
  readonly port: number
  readonly path: string
  readonly jars: readonly Jar[]
  readonly seconds: number
}

/** One autocannon run: a connection per jar, pipelining 1 (so Set-Cookie can be followed request by request). */
export const load = async (o: LoadOptions): Promise<LoadResult> => {
  const latencies: number[] = []
  const responses = o.jars.map(() => 0)
  let next = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${o.port}${o.path}`,
    connections: o.jars.length,
    pipelining: 1,
    duration: o.seconds,
    // Autocannon ends a run on a sample tick: a short interval keeps the overshoot small.
    sampleInt: 250,
    setupClient: (client) => {
      const i = next++ % o.jars.length
      const jar = o.jars[i]!
      client.setHeaders({ cookie: cookieHeader(jar) })
      client.on('headers', ({ headers }) => {
        const lines: string[] = []
        for (let h = 0; h < headers.length; h += 2)
          if (headers[h]!.length === 10 && headers[h]!.toLowerCase() === 'set-cookie') lines.push(headers[h + 1]!)
        if (lines.length === 0) return
        applySetCookie(jar, lines)
        // Rebuilds the request this connection sends next (its response is not complete yet).
        client.setHeaders({ cookie: cookieHeader(jar) })
      })
      client.on('response', (_status, _bytes, ms) => {
        latencies.push(ms)
        responses[i]!++
      })
    },
  })
  return {
    rps: result.requests.total / result.duration,
    total: result.requests.total,
    failed: result.errors + result.non2xx,
    latencies: Float64Array.from(latencies),
    jars: o.jars,
    responses,
  }
}
