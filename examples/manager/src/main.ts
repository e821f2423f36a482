/**
 * `npm start`: the console on http://localhost:3000 (PORT), sessions in the
 * store named by TESSERA_STORE (memory:// by default; postgres://… or
 * redis://… run the same app), options from TESSERA_KONG_CONF if set.
 */
import type { AddressInfo } from 'node:net'
import { closeTessera, registerTessera, TesseraTokens } from '@tessera/container'
import { ConfigError, type SessionEngine } from '@tessera/core'
import { migrate } from '@tessera/store-postgres'
import { container } from 'tsyringe'
import { createActivity } from './activity.js'
import { createApp } from './app.js'
import { loadConfig } from './config.js'
import { seedAdmins } from './seeds.js'
import type { AdminData } from './session.js'
import { createUserDirectory } from './users.js'

/** Start-up mistakes are the operator's to fix: say what is wrong (ConfigError lists every problem), no stack. */
const fail = (error: unknown): never => {
  console.error(
    error instanceof ConfigError
      ? error.message
      : `Cannot start: ${error instanceof Error ? error.message : String(error)}`,
  )
  process.exit(1)
}
const attempt = <A>(f: () => A): A => {
  try {
    return f()
  } catch (error) {
    return fail(error)
  }
}

const storeUrl = process.env.TESSERA_STORE ?? 'memory://'
const port = Number(process.env.PORT ?? 3000)
const config = attempt(() => loadConfig(process.env))

/** The tables must exist before the first session is written; migrate is idempotent and safe on concurrent starts. */
const prepareStore = async (url: string): Promise<void> => {
  if (!/^postgres(ql)?:/.test(url)) return
  const u = new URL(url)
  const schema = u.searchParams.get('schema') ?? undefined
  const table = u.searchParams.get('table') ?? undefined
  for (const k of ['schema', 'table', 'timeoutMs']) u.searchParams.delete(k)
  await migrate({
    connectionString: u.toString(),
    ...(schema === undefined ? {} : { schema }),
    ...(table === undefined ? {} : { table }),
  })
}

/** The URL without its password, for the console output. */
const redact = (url: string): string => url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')

await prepareStore(storeUrl).catch(fail)
const activity = createActivity()
// The store is made from its URL here (a postgres:// or redis:// URL loads that store's package
// and driver): a URL it cannot use, or a store package not installed, stops here.
const scope = await registerTessera(container.createChildContainer(), {
  session: config.session,
  store: storeUrl,
  onEvent: activity.onEvent,
}).catch(fail)
const seeds = seedAdmins(process.env)
// Resolving the engine checks the options: a mistake stops here.
const engine = attempt(() => scope.resolve<SessionEngine<AdminData>>(TesseraTokens.engine))
const app = createApp({
  engine,
  users: await createUserDirectory(seeds),
  storeLabel: redact(storeUrl),
  activity,
})

/** A port in use (or not ours to bind) is the operator's to fix: say so, no stack. */
const cannotListen = (error: NodeJS.ErrnoException): void => {
  const hint =
    error.code === 'EADDRINUSE'
      ? `port ${port} is already in use (another console still running?); set PORT to a free one, e.g. PORT=3001 npm start`
      : error.code === 'EACCES'
        ? `port ${port} needs privileges this process does not have; set PORT to one above 1023`
        : error.message
  console.error(`Cannot start: ${hint}`)
  void closeTessera(scope).finally(() => process.exit(1))
}

// Express 5 calls back with the error when the port cannot be bound.
const server = app.listen(port, (error?: Error) => {
  if (error !== undefined) return cannotListen(error)
  const { port: bound } = server.address() as AddressInfo
  const lines = [
    '',
    `  Tessera Manager on http://localhost:${bound}`,
    `  sessions in ${redact(storeUrl)} (TESSERA_STORE)`,
    ...config.notes.map((n) => `  note: ${n}`),
    '',
    '  Sign in as:',
    ...seeds.map((s) => `    ${s.email.padEnd(20)} password ${s.password}`),
    '',
    '  Ctrl-C stops it.',
    '',
  ]
  console.log(lines.join('\n'))
})

const stop = () => {
  server.close()
  server.closeAllConnections()
  void closeTessera(scope).finally(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
