// Server processes: one per kind, forked with an IPC channel, each pinned to
// its own core away from the load generator when `taskset` exists.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command, Report, ServerKind } from './common.js'

const here = dirname(fileURLToPath(import.meta.url))
// The servers run the built packages (dist/, as an app would), not the TypeScript sources under tsx.
const NODE_FLAGS = ['--import', 'tsx', '--expose-gc']

export interface Placement {
  /** `taskset -c <core>` for servers, or undefined when not pinned. */
  readonly serverCore: string | undefined
  readonly loadCore: string | undefined
  readonly note: string
}

/** Pins this process (the load generator) to core 0 and says where servers go. */
export const place = (): Placement => {
  const cores = availableParallelism()
  const taskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0
  if (!taskset || cores < 2)
    return {
      serverCore: undefined,
      loadCore: undefined,
      note: `not pinned (${taskset ? `${cores} core` : 'no taskset'}): servers and load generator share cores`,
    }
  // -a: every thread of this process (libuv pool, V8 helpers), not only the main one.
  const pinned = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' }).status === 0
  return {
    serverCore: '1',
    loadCore: pinned ? '0' : undefined,
    note: `servers pinned to core 1 (taskset -c 1)${pinned ? ', load generator to core 0' : ', load generator not pinned'}; ${cores} cores`,
  }
}

export interface ServerHandle {
  readonly kind: ServerKind
  readonly port: number
  /** Starts a measured window (CPU-profiled into `profile` when given). */
  begin(profile?: string): Promise<void>
  end(): Promise<Extract<Report, { type: 'ended' }>>
  stop(): Promise<void>
}

/**
 * Starts one server process. `checkout` is the root of another checkout of
 * this repository (built, with its own node_modules) whose server of the same
 * kind runs instead: a baseline measured in the same run.
 */
export const startServer = (
  kind: ServerKind,
  placement: Placement,
  profileDir: string | undefined,
  checkout?: string,
): Promise<ServerHandle> => {
  const dir = checkout === undefined ? here : join(checkout, 'bench', 'lib', 'http')
  const flags = [...NODE_FLAGS]
  if (profileDir !== undefined) {
    mkdirSync(profileDir, { recursive: true })
    flags.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`)
  }
  const args = [...flags, join(dir, 'server.ts'), kind]
  const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc']
  const child: ChildProcess =
    placement.serverCore === undefined
      ? spawn(process.execPath, args, { cwd: dir, stdio })
      : spawn('taskset', ['-c', placement.serverCore, process.execPath, ...args], { cwd: dir, stdio })

  // One outstanding command at a time: the next report answers it.
  let pending: { resolve: (r: Report) => void; reject: (e: Error) => void } | undefined
  let exited: Error | undefined
  const ask = (c: Command): Promise<Report> =>
    new Promise((resolve, reject) => {
      if (exited !== undefined) return reject(exited)
      pending = { resolve, reject }
      child.send(c)
    })

  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      exited = new Error(`server ${kind} exited (${code ?? signal})`)
      reject(exited)
      pending?.reject(exited)
    })
    child.on('message', (r: Report) => {
      if (r.type === 'ready') {
        resolve({
          kind,
          port: r.port,
          begin: async (profile) => {
            await ask({ type: 'begin', profile })
          },
          end: async () => {
            const r = await ask({ type: 'end' })
            if (r.type !== 'ended') throw new Error(`server ${kind}: unexpected ${r.type}`)
            return r
          },
          stop: () =>
            new Promise((done) => {
              if (exited !== undefined) return done()
              child.once('exit', () => done())
              child.send({ type: 'exit' } satisfies Command)
            }),
        })
        return
      }
      const p = pending
      pending = undefined
      p?.resolve(r)
    })
  })
}
