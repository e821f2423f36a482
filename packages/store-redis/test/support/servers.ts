import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A port nobody listens on right now, on loopback. */
export const sparePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject()))
    })
  })

/** Runs redis-cli against a loopback port and returns its output. */
export const cli = async (port: number, ...args: string[]): Promise<string> =>
  (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 })).stdout.trim()

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` every 100 ms until it holds, failing after `ms`. */
export const until = async (what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check().catch(() => false)) return
    await sleep(100)
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** True when the redis-server binary can be run here. */
export const haveRedisServer = async (): Promise<boolean> =>
  run('redis-server', ['--version'], { timeout: 5000 }).then(
    () => true,
    () => false,
  )

/** A redis-server child process on a loopback port, with its own temp dir. */
export interface Server {
  readonly port: number
  readonly dir: string
  readonly process: ChildProcess
  /** Kills the process (SIGKILL: no save, no goodbye) and waits until it is gone. */
  readonly kill: () => Promise<void>
}

const alive = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL')
})

/** How to start one server: a port and dir of its own unless given, extra arguments, a config file. */
export interface ServerOptions {
  readonly port?: number
  readonly dir?: string
  readonly args?: readonly string[]
  readonly conf?: string
  readonly sentinel?: boolean
}

/**
 * Starts `redis-server` in the foreground as our child (so a crashed test run
 * cannot leave a daemon behind), persistence off, bound to 127.0.0.1.
 */
export const startServer = async (opts: ServerOptions = {}) => {
  const port = opts.port ?? (await sparePort())
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'tessera-redis-')))
  // A sentinel takes everything from its (rewritable) config file.
  const argv =
    opts.conf !== undefined && opts.sentinel === true
      ? [opts.conf, '--sentinel']
      : [...(opts.conf === undefined ? [] : [opts.conf]), '--port', String(port), '--bind', '127.0.0.1'].concat([
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ])
  const child = spawn('redis-server', [...argv, ...(opts.args ?? [])], { stdio: 'ignore' })
  alive.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.once('exit', () => alive.delete(child))
  await until(`redis-server on ${port}`, async () => (await cli(port, 'ping')) === 'PONG', 10_000)
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  }
  return { port, dir, process: child, kill } satisfies Server
}

/** Writes a config file into `dir` and returns its path (sentinels need one they can rewrite). */
export const writeConf = async (dir: string, file: string, lines: string[]): Promise<string> => {
  const path = join(dir, file)
  await writeFile(path, `${lines.join('\n')}\n`)
  return path
}

/** Kills the servers and removes their temp dirs. */
export const stopAll = async (servers: readonly Server[], dirs: readonly string[]): Promise<void> => {
  await Promise.all(servers.map((s) => s.kill()))
  await Promise.all([...new Set(dirs)].map((d) => rm(d, { recursive: true, force: true })))
}
