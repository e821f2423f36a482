/**
 * A store chosen by URL, so that a deployment swaps its backend by
 * configuration: `memory://`, `postgres://…`, `redis://…`,
 * `redis-sentinel://host:port,host:port/<master name>`, `redis-cluster://host:port,host:port`,
 * or a scheme the app adds. The PostgreSQL and Redis stores and their drivers
 * are optional peer dependencies, loaded only when a URL of their scheme is used.
 */
import { ConfigError, type SessionStore } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import type * as PostgresStore from '@tessera/store-postgres'
import type * as RedisStore from '@tessera/store-redis'

/** A store the container made, with the way to release it. */
export interface OwnedStore {
  readonly store: SessionStore
  readonly close: () => Promise<void>
}

/** Makes the store for a URL of one scheme; `url` is the parsed URL, as given. */
export type StoreFactory = (url: URL) => OwnedStore | Promise<OwnedStore>

/** Imports a module by name; `(name) => import(name)` unless a bundle or a test supplies its own. */
export type ModuleLoader = (name: string) => Promise<unknown>

/** What `storeFromUrl` takes besides the URL. */
export interface StoreUrlOptions {
  /**
   * Stores of the app's own, by scheme (`'mystore:'`; the colon may be left out).
   * A scheme here takes precedence over the built-in one of the same name.
   */
  readonly schemes?: Readonly<Record<string, StoreFactory>>
  /** How the optional store packages and their drivers are imported. */
  readonly load?: ModuleLoader
}

const importModule: ModuleLoader = (name) => import(name)

const notFound = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
}

/**
 * Imports the driver, then the store package that uses it. Either missing is a
 * ConfigError that names it and says what to install; any other failure is thrown as it is.
 */
const loadStore = async <M>(load: ModuleLoader, scheme: string, driver: string, store: string): Promise<M> => {
  const attempt = async (name: string): Promise<unknown> => {
    try {
      return await load(name)
    } catch (error) {
      if (!notFound(error)) throw error
      throw new ConfigError([
        `store: a ${scheme}// URL needs the packages ${store} and ${driver} (optional peer dependencies of @tessera/container); ${name} is not installed: npm install ${store} ${driver}`,
      ])
    }
  }
  await attempt(driver)
  return (await attempt(store)) as M
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

const BUILT_IN = ['memory:', 'postgres:', 'postgresql:', 'redis:', 'rediss:', 'redis-sentinel:', 'redis-cluster:']

const withColon = (scheme: string): string => (scheme.endsWith(':') ? scheme : `${scheme}:`).toLowerCase()

/**
 * Creates the store a URL names, importing its package and driver on first use.
 * Query parameters of the built-in schemes: `prefix`, `suffix`, `timeoutMs`, `maxEntries`, `schema`, `table`.
 * Rejects with a ConfigError for a URL it cannot use, or a store package or driver that is not installed.
 * @example
 * const { store, close } = await storeFromUrl(process.env.TESSERA_STORE ?? 'memory://', {
 *   schemes: { 'mystore:': (url) => createMyStore(url) },
 * })
 */
export const storeFromUrl = async (url: string, options: StoreUrlOptions = {}): Promise<OwnedStore> => {
  let parsed: URL
  try {
    // WHATWG URLs take one host; a list of hosts (Sentinel, Cluster) is cut out and parsed by hand.
    parsed = new URL(url.replace(/^(redis-(?:sentinel|cluster):\/\/)[^/?#]*/, '$1placeholder'))
  } catch {
    throw new ConfigError([`store: ${JSON.stringify(url)} is not a URL`])
  }
  const hostList = /^redis-(?:sentinel|cluster):\/\/([^/?#]*)/.exec(url)?.[1]
  const custom = new Map(Object.entries(options.schemes ?? {}).map(([scheme, make]) => [withColon(scheme), make]))
  const own = custom.get(parsed.protocol)
  // An app's factory gets the URL as given (only the built-in host lists needed the placeholder).
  if (own !== undefined) return own(hostList === undefined ? parsed : new URL(url))

  const load = options.load ?? importModule
  const q = parsed.searchParams
  const timeoutMs = integer(q.get('timeoutMs'), 'timeoutMs')
  const prefix = q.get('prefix') ?? undefined
  const suffix = q.get('suffix') ?? undefined
  const redisExtras = {
    ...(prefix === undefined ? {} : { prefix }),
    ...(suffix === undefined ? {} : { suffix }),
    ...(timeoutMs === undefined ? {} : { commandTimeoutMs: timeoutMs }),
  }
  const redis = () => loadStore<typeof RedisStore>(load, parsed.protocol, 'ioredis', '@tessera/store-redis')
  switch (parsed.protocol) {
    case 'memory:': {
      const maxEntries = integer(q.get('maxEntries'), 'maxEntries')
      const store = createMemoryStore(maxEntries === undefined ? {} : { maxEntries })
      return { store, close: async () => store.close() }
    }
    case 'postgres:':
    case 'postgresql:': {
      const { createPostgresStore } = await loadStore<typeof PostgresStore>(
        load,
        parsed.protocol,
        'pg',
        '@tessera/store-postgres',
      )
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
      const { createRedisStore } = await redis()
      for (const k of ['prefix', 'suffix', 'timeoutMs']) q.delete(k)
      const store = createRedisStore({ url: parsed.toString(), ...redisExtras })
      return { store, close: () => store.close() }
    }
    case 'redis-sentinel:': {
      const name = parsed.pathname.replace(/^\//, '')
      if (!name) throw new ConfigError([`store: ${url} names no master (redis-sentinel://host:port,…/<name>)`])
      const sentinels = hosts(hostList ?? '', url)
      const { createRedisStore } = await redis()
      const store = createRedisStore({ sentinel: { sentinels, name }, ...redisExtras })
      return { store, close: () => store.close() }
    }
    case 'redis-cluster:': {
      const nodes = hosts(hostList ?? '', url)
      const { createRedisStore } = await redis()
      const store = createRedisStore({ cluster: nodes, ...redisExtras })
      return { store, close: () => store.close() }
    }
    default:
      throw new ConfigError([
        `store: unknown scheme ${parsed.protocol} (${[...BUILT_IN.filter((s) => s !== 'postgresql:' && s !== 'rediss:'), ...custom.keys()].join(', ')})`,
      ])
  }
}
