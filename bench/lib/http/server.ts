// One server under test, in its own process (http.bench.ts forks it pinned to
// its own core). argv[2] is the kind; it listens on a loopback port, says which
// over IPC, and reports its CPU time and request counts per measured window.
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { Session } from 'node:inspector/promises'
import { buildListener, type Stats } from './apps.js'
import { type Command, isServerKind, type Report } from './common.js'

const kind = process.argv[2]
if (!isServerKind(kind) || process.send === undefined) {
  console.error('usage: forked by http.bench.ts with a server kind and an IPC channel')
  process.exit(2)
}
const send = (r: Report): void => {
  process.send?.(r)
}

const stats: Stats = { served: 0, fresh: 0 }
const server = createServer(buildListener(kind, stats))
server.keepAliveTimeout = 30_000

let cpu = process.cpuUsage()
let wall = process.hrtime.bigint()
let profiler: Session | undefined
let profileTo: string | undefined

/**
 * tsx compiles each .ts file to one line with its functions wrapped for keepNames, so a
 * profile alone names them "(anonymous)" at line 1: keep the inline source maps to resolve them.
 */
const sourceMaps = async (session: Session): Promise<Record<string, string>> => {
  const maps: Record<string, string> = {}
  const collect = (m: { params: { url: string; sourceMapURL?: string } }) => {
    const { url, sourceMapURL } = m.params
    if (url.startsWith('file://') && sourceMapURL?.startsWith('data:')) maps[url] = sourceMapURL
  }
  session.on('Debugger.scriptParsed', collect)
  await session.post('Debugger.enable')
  await session.post('Debugger.disable')
  session.off('Debugger.scriptParsed', collect)
  return maps
}

process.on('message', async (c: Command) => {
  switch (c.type) {
    case 'begin':
      globalThis.gc?.()
      if (c.profile !== undefined) {
        profiler ??= new Session()
        profiler.connect()
        await profiler.post('Profiler.enable')
        await profiler.post('Profiler.start')
        profileTo = c.profile
      }
      stats.served = 0
      stats.fresh = 0
      cpu = process.cpuUsage()
      wall = process.hrtime.bigint()
      send({ type: 'begun' })
      return
    case 'end': {
      const used = process.cpuUsage(cpu)
      const wallUs = Number(process.hrtime.bigint() - wall) / 1000
      if (profiler !== undefined && profileTo !== undefined) {
        const { profile } = await profiler.post('Profiler.stop')
        writeFileSync(profileTo, JSON.stringify(profile))
        writeFileSync(`${profileTo}.maps.json`, JSON.stringify(await sourceMaps(profiler)))
        profiler.disconnect()
        profileTo = undefined
      }
      send({ type: 'ended', cpuUs: used.user + used.system, wallUs, served: stats.served, fresh: stats.fresh })
      return
    }
    case 'exit':
      server.close()
      // process.exit (not a natural end) so that --cpu-prof writes its profile now.
      process.exit(0)
  }
})
process.on('disconnect', () => process.exit(0))

server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  send({ type: 'ready', port: address.port })
})
