/**
 * A PostgreSQL server of the test's own (initdb + pg_ctl on a spare port, in a
 * temp dir), so a test can stop, freeze and restart it without touching the
 * shared server. As root, the binaries run as the `postgres` OS user.
 */
import { execFile, execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BIN = process.env.TESSERA_PG_BIN ?? '/usr/lib/postgresql/15/bin'

/** True when initdb and pg_ctl are installed where the test expects them. */
export const canRunServer = existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'))

const asRoot = process.getuid?.() === 0

const command = (tool: string, args: readonly string[]): [string, string[]] =>
  asRoot ? ['runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]] : [join(BIN, tool), [...args]]

const run = (tool: string, args: readonly string[]): void => {
  execFileSync(...command(tool, args), { stdio: 'pipe', timeout: 30_000 })
}

// Asynchronous, so the test's own queries keep running while the server goes down.
const runAsync = (tool: string, args: readonly string[]): Promise<void> =>
  new Promise((resolve, reject) =>
    execFile(...command(tool, args), { timeout: 30_000 }, (error) => (error ? reject(error) : resolve())),
  )

const sparePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject()))
    })
  })

/** A running throwaway server and the controls a fault test needs. */
export interface ThrowawayServer {
  readonly url: string
  readonly start: () => void
  readonly stop: () => void
  /** Stops it without blocking the event loop. */
  readonly stopAsync: () => Promise<void>
  /** SIGSTOP / SIGCONT every server process: connections stay open but nothing answers. */
  readonly freeze: () => void
  readonly thaw: () => void
  /** Stops the server (whatever state it is in) and removes its directory. */
  readonly destroy: () => void
}

/** Creates, starts and returns a throwaway server. */
export const startThrowawayServer = async (): Promise<ThrowawayServer> => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'))
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0)
  const data = join(dir, 'data')
  const port = await sparePort()
  const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const start = (): void =>
    run('pg_ctl', ['-D', data, '-o', settings, '-l', join(dir, 'log'), '-w', '-t', '20', 'start'])
  const stopArgs = ['-D', data, '-m', 'immediate', '-w', 'stop']
  const stop = (): void => run('pg_ctl', stopArgs)
  const signalAll = (signal: 'SIGSTOP' | 'SIGCONT'): void => {
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
    const children = execFileSync('pgrep', ['-P', String(postmaster)])
      .toString()
      .trim()
      .split('\n')
    for (const pid of [postmaster, ...children.map(Number)]) process.kill(pid, signal)
  }
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-N', '--no-instructions'])
    start()
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    stopAsync: () => runAsync('pg_ctl', stopArgs),
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    destroy: () => {
      try {
        if (existsSync(join(data, 'postmaster.pid'))) {
          try {
            signalAll('SIGCONT')
          } catch {}
          stop()
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
