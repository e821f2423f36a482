import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cli, type Server, sparePort, startServer, stopAll, until } from './servers.js'

/** A throwaway three-master Redis Cluster on spare loopback ports. */
export interface TestCluster {
  readonly nodes: readonly { host: string; port: number }[]
  /** Empties every master (the cluster is ours alone). */
  readonly flush: () => Promise<void>
  readonly stop: () => Promise<void>
}

/** Starts three cluster-enabled servers, joins them with `redis-cli --cluster create`, waits for cluster_state:ok. */
export const startCluster = async (): Promise<TestCluster> => {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-cluster-'))
  const servers: Server[] = []
  try {
    for (let i = 0; i < 3; i++) {
      const port = await sparePort()
      const conf = join(dir, `nodes-${port}.conf`)
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', conf, '--cluster-node-timeout', '2000']
      servers.push(await startServer({ port, dir, args }))
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`)
    await cli(servers[0]!.port, '--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes')
    for (const s of servers) {
      await until(`cluster_state:ok on ${s.port}`, async () =>
        (await cli(s.port, 'cluster', 'info')).includes('cluster_state:ok'),
      )
    }
  } catch (error) {
    await stopAll(servers, [dir])
    throw error
  }
  return {
    nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
    flush: async () => {
      await Promise.all(servers.map((s) => cli(s.port, 'flushall')))
    },
    stop: () => stopAll(servers, [dir]),
  }
}
