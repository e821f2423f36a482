/**
 * The servers the integration tests talk to. With TESSERA_PG_URL /
 * TESSERA_REDIS_URL unset and nothing answering on the default ports, but
 * the binaries installed (redis-server; initdb and pg_ctl), the test run
 * starts throwaway servers on spare loopback ports and points the variables
 * at them, instead of the suites skipping. Stopped when the run ends.
 */
import { connect } from 'node:net'
import { canRunServer as haveInitdb, startThrowawayServer } from '../packages/store-postgres/test/throwaway-server.js'
import { haveRedisServer, startServer } from '../packages/store-redis/test/support/servers.js'

export const DEFAULT_PG = { host: '127.0.0.1', port: 5432 }
export const DEFAULT_REDIS = { host: '127.0.0.1', port: 6379 }

/** True when something accepts a TCP connection there within half a second. */
export const answers = (where: { host: string; port: number }): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(where)
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })

/** What to do for one service: its variable, whether the default answers, how to start one. */
export interface Service {
  readonly name: string
  readonly variable: string
  readonly defaultAnswers: () => Promise<boolean>
  readonly installed: () => Promise<boolean>
  /** Starts a server; its URL and how to stop it. */
  readonly start: () => Promise<{ url: string; stop: () => Promise<void> }>
}

export const SERVICES: readonly Service[] = [
  {
    name: 'PostgreSQL',
    variable: 'TESSERA_PG_URL',
    defaultAnswers: () => answers(DEFAULT_PG),
    installed: async () => haveInitdb,
    start: async () => {
      const server = await startThrowawayServer()
      return { url: server.url, stop: async () => server.destroy() }
    },
  },
  {
    name: 'Redis',
    variable: 'TESSERA_REDIS_URL',
    defaultAnswers: () => answers(DEFAULT_REDIS),
    installed: haveRedisServer,
    start: async () => {
      const server = await startServer()
      return { url: `redis://127.0.0.1:${server.port}`, stop: server.kill }
    },
  },
]

/**
 * Starts what is missing and sets its variable in `env`; returns the stops.
 * A variable already set is the caller's choice and left alone.
 */
export const ensureServices = async (
  env: NodeJS.ProcessEnv,
  services: readonly Service[] = SERVICES,
  log: (line: string) => void = (line) => console.info(line),
): Promise<Array<() => Promise<void>>> => {
  const stops: Array<() => Promise<void>> = []
  for (const s of services) {
    if (env[s.variable] !== undefined || (await s.defaultAnswers())) continue
    if (!(await s.installed())) continue
    const { url, stop } = await s.start()
    env[s.variable] = url
    stops.push(stop)
    log(`[tests] no ${s.name} on its default port: started a throwaway one at ${url} (${s.variable})`)
  }
  return stops
}
