/**
 * A store chosen by URL, so that a deployment swaps its backend by
 * configuration: `memory://`, `postgres://…`, `redis://…`,
 * `redis-sentinel://host:port,host:port/<master name>`, `redis-cluster://host:port,host:port`.
 */
import { ConfigError, type SessionStore } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { createPostgresStore } from '@tessera/store-postgres'
import { createRedisStore } from '@tessera/store-redis'

/** A store the container made, with the way to release it. */
export interface OwnedStore {
  readonly store: SessionStore
  readonly close: () => Promise<void>
}

const hosts = (list: string, url: string) =>
  list.split(',').map((hostPort) => {
    const [host, port] = hostPort.split(':')
    if (!host) throw new ConfigError([`store: no host in ${url}`])
    return { host, port: Number(port ?? 6379) }
  })

const integer = (value: string | null, name: string): number | undefined => {
  if (value === null) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new ConfigError([`store: ${name} must be a non-negative integer`])
  return n
}

/** Creates the store a URL names. Query parameters: `prefix`, `suffix`, `timeoutMs`, `maxEntries`, `schema`, `table`. */
export const storeFromUrl = (url: string): OwnedStore => {
  let parsed: URL
  try {
    // WHATWG URLs take one host; a list of hosts (Sentinel, Cluster) is cut out and parsed by hand.
    parsed = new URL(url.replace(/^(redis-(?:sentinel|cluster):\/\/)[^/?#]*/, '$1placeholder'))
  } catch {
    throw new ConfigError([`store: ${JSON.stringify(url)} is not a URL`])
  }
  const hostList = /^redis-(?:sentinel|cluster):\/\/([^/?#]*)/.exec(url)?.[1] ?? ''
  const q = parsed.searchParams
  const timeoutMs = integer(q.get('timeoutMs'), 'timeoutMs')
  const prefix = q.get('prefix') ?? undefined
  const suffix = q.get('suffix') ?? undefined
  const redisExtras = {
    ...(prefix === undefined ? {} : { prefix }),
    ...(suffix === undefined ? {} : { suffix }),
    ...(timeoutMs === undefined ? {} : { commandTimeoutMs: timeoutMs }),
  }
  switch (parsed.protocol) {
    case 'memory:': {
      const maxEntries = integer(q.get('maxEntries'), 'maxEntries')
      const store = createMemoryStore(maxEntries === undefined ? {} : { maxEntries })
      return { store, close: async () => store.close() }
    }
    case 'postgres:':
    case 'postgresql:': {
      const schema = q.get('schema') ?? undefined
      const table = q.get('table') ?? undefined
      for (const k of ['schema', 'table', 'timeoutMs']) q.delete(k)
      const store = createPostgresStore({
        connectionString: parsed.toString(),
        ...(schema === undefined ? {} : { schema }),
        ...(table === undefined ? {} : { table }),
        ...(timeoutMs === undefined ? {} : { statementTimeoutMs: timeoutMs }),
      })
      return { store, close: () => store.close() }
    }
    case 'redis:':
    case 'rediss:': {
      for (const k of ['prefix', 'suffix', 'timeoutMs']) q.delete(k)
      const store = createRedisStore({ url: parsed.toString(), ...redisExtras })
      return { store, close: () => store.close() }
    }
    case 'redis-sentinel:': {
      const name = parsed.pathname.replace(/^\//, '')
      if (!name) throw new ConfigError([`store: ${url} names no master (redis-sentinel://host:port,…/<name>)`])
      const store = createRedisStore({ sentinel: { sentinels: hosts(hostList, url), name }, ...redisExtras })
      return { store, close: () => store.close() }
    }
    case 'redis-cluster:': {
      const store = createRedisStore({ cluster: hosts(hostList, url), ...redisExtras })
      return { store, close: () => store.close() }
    }
    default:
      throw new ConfigError([
        `store: unknown scheme ${parsed.protocol} (memory:, postgres:, redis:, redis-sentinel:, redis-cluster:)`,
      ])
  }
}
