import { ConfigError } from '@tessera/core'
import { Cluster, type ClusterNode, Redis, type RedisOptions } from 'ioredis'

/** Where the store's Redis is: an app-owned client, or what to connect to. */
export type RedisTarget =
  | { readonly client: Redis | Cluster }
  | { readonly url: string | undefined }
  | { readonly sentinel: { readonly sentinels: readonly { host: string; port: number }[]; readonly name: string } }
  | { readonly cluster: readonly ClusterNode[] }

/**
 * ioredis options that make a client fail fast while Redis is down and
 * recover by itself: no offline queue (a queued command would still run after
 * its caller gave up on it), bounded connect and command time, endless but
 * capped reconnects. Use them for a client you pass in as `client`.
 */
export const failFastOptions = (commandTimeoutMs = 2000): RedisOptions => ({
  commandTimeout: commandTimeoutMs,
  connectTimeout: commandTimeoutMs,
  enableOfflineQueue: false,
  // A command cut off by a dropped connection is rejected at once and never resent later.
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  retryStrategy: (times) => Math.min(times * 100, 1000),
  // Off: each command is written as it is made, so Redis works on the first
  // while Node still builds the rest. Auto-pipelining batches a whole tick's
  // commands into one write, and with the store's write scripts Node and Redis
  // then take turns idling (npm run bench -- store-redis: ~11k against ~17k
  // write + read per second with it on).
  enableAutoPipelining: false,
})

/** Opens the client the options ask for; `owned` tells whether the store must close it. */
export const openClient = (target: RedisTarget, timeoutMs: number): { client: Redis | Cluster; owned: boolean } => {
  if ('client' in target) return { client: target.client, owned: false }
  const client = openOwned(target, timeoutMs)
  // Connection errors reach callers as rejected calls; without a listener
  // ioredis would also print every reconnect attempt.
  client.on('error', () => undefined)
  return { client, owned: true }
}

const openOwned = (target: Exclude<RedisTarget, { client: unknown }>, timeoutMs: number): Redis | Cluster => {
  const options = failFastOptions(timeoutMs)
  if ('url' in target) return new Redis(urlOf(target.url), options)
  if ('sentinel' in target) {
    const { sentinels, name } = target.sentinel
    const sentinelOptions = {
      ...options,
      sentinels: sentinels.map((s) => ({ ...s })),
      name,
      sentinelRetryStrategy: (times: number) => Math.min(times * 100, 1000),
      // A sentinel that accepts a connection and never answers must not hold the reconnect loop.
      sentinelCommandTimeout: timeoutMs,
      // No failover detector: its +switch-master reset, arriving while the client was connecting,
      // left the client connecting forever (saves refused 30 s after every sentinel named the new
      // master, under the full test suite's load). A dead master closes the connection, and each
      // reconnect asks the sentinels where the master is.
      failoverDetector: false,
    }
    return new Redis(sentinelOptions)
  }
  return new Cluster([...target.cluster], {
    enableOfflineQueue: false,
    // ioredis's Cluster auto-pipelines reject a batch whose keys span slots.
    enableAutoPipelining: false,
    clusterRetryStrategy: (times) => Math.min(times * 100, 1000),
    slotsRefreshTimeout: timeoutMs,
    redisOptions: { commandTimeout: timeoutMs, connectTimeout: timeoutMs, autoResendUnfulfilledCommands: false },
  })
}

/**
 * The URL to connect to. A missing one is a configuration error, never a
 * silent connection to localhost:6379 (what ioredis does with `undefined`).
 */
const urlOf = (url: string | undefined): string => {
  if (url === undefined || url.trim() === '') {
    throw new ConfigError([
      `url: ${url === undefined ? 'missing' : 'empty'}; give the Redis URL (redis://host:port, rediss:// for TLS)`,
    ])
  }
  return url
}

/**
 * Resolves once the client is ready, rejecting after `ms`. Calls share one
 * waiter per outage, so a flood of requests while Redis is down adds no
 * listeners per call.
 */
export const readiness = (client: Redis | Cluster): ((ms: number) => Promise<void>) => {
  let waiting: Promise<void> | undefined
  const wait = (): Promise<void> => {
    waiting ??= new Promise<void>((resolve) => {
      client.once('ready', () => {
        waiting = undefined
        resolve()
      })
    })
    return waiting
  }
  return (ms) => {
    if (client.status === 'ready') return Promise.resolve()
    if (client.status === 'wait') client.connect().catch(() => undefined)
    return withDeadline(wait(), ms, 'Redis not ready')
  }
}

/** Rejects when `promise` has not settled within `ms`. */
export const withDeadline = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`@tessera/store-redis: ${what} after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
