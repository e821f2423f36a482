import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cli, type Server, sparePort, startServer, stopAll, until, writeConf } from './servers.js'

/** The master name the sentinels monitor. */
export const MASTER_NAME = 'tessera'

/** A master, one replica and three sentinels on spare loopback ports. */
export interface TestSentinel {
  readonly master: Server
  readonly replica: Server
  readonly sentinels: readonly { host: string; port: number }[]
  readonly stop: () => Promise<void>
}

// Short timings so a failover takes seconds: down after 1 s, quorum 2 of 3.
const sentinelConf = (port: number, masterPort: number, dir: string): string[] => [
  `port ${port}`,
  'bind 127.0.0.1',
  `dir ${dir}`,
  `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
  `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
  `sentinel failover-timeout ${MASTER_NAME} 3000`,
  `sentinel parallel-syncs ${MASTER_NAME} 1`,
]

/** Starts the set and waits until the replica is in sync and all three sentinels know each other. */
export const startSentinel = async (): Promise<TestSentinel> => {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-sentinel-'))
  const servers: Server[] = []
  try {
    const master = await startServer({ dir })
    servers.push(master)
    const replica = await startServer({ dir, args: ['--replicaof', '127.0.0.1', String(master.port)] })
    servers.push(replica)
    await until('replica in sync', async () =>
      (await cli(replica.port, 'info', 'replication')).includes('master_link_status:up'),
    )
    for (let i = 0; i < 3; i++) {
      const port = await sparePort()
      const conf = await writeConf(dir, `sentinel-${port}.conf`, sentinelConf(port, master.port, dir))
      servers.push(await startServer({ port, dir, conf, sentinel: true }))
    }
    const sentinels = servers.slice(2)
    for (const s of sentinels) {
      await until(`sentinel ${s.port} sees its peers and the replica`, async () => {
        const info = await cli(s.port, 'info', 'sentinel')
        return info.includes('sentinels=3') && info.includes('slaves=1')
      })
    }
    return {
      master,
      replica,
      sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      stop: () => stopAll(servers, [dir]),
    }
  } catch (error) {
    await stopAll(servers, [dir])
    throw error
  }
}
