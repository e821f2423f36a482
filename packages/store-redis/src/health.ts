/**
 * What the store knows of its connection: up, or down since a given moment
 * and why. While it is known down, calls fail at once instead of each waiting
 * out the command timeout; the outage and the recovery are logged once each.
 */
import type { Cluster, Redis } from 'ioredis'

export interface Health {
  /** The error calls get at once while the connection is known down; undefined while it is not. */
  readonly downError: (what: string) => Error | undefined
  /** Rejects when the connection is next found down (only waited on while it is not ready). */
  readonly nextDown: (what: string) => Promise<never>
  /** Stops logging: the store is closing its connection on purpose. */
  readonly stop: () => void
}

/** Names the Redis a store talks to, for log lines and errors (no password). */
export const describeTarget = (target: { url?: string | undefined } | object, client: Redis | Cluster): string => {
  if ('url' in target && typeof target.url === 'string') {
    try {
      const u = new URL(target.url)
      return `${u.protocol}//${u.host}${u.pathname.length > 1 ? u.pathname : ''}`
    } catch {
      return 'redis (unparsable url)'
    }
  }
  if ('sentinel' in target) {
    const s = (target as { sentinel: { name: string; sentinels: readonly { host: string; port: number }[] } }).sentinel
    return `redis-sentinel ${s.name} via ${s.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`
  }
  if ('cluster' in target) {
    const nodes = (target as { cluster: readonly unknown[] }).cluster
    return `redis-cluster ${nodes.map((n) => (typeof n === 'object' && n !== null && 'host' in n ? `${n.host}:${(n as { port?: number }).port ?? 6379}` : String(n))).join(',')}`
  }
  const o = client.isCluster ? undefined : (client as Redis).options
  return o === undefined ? 'redis-cluster (app client)' : `redis://${o.host ?? '127.0.0.1'}:${o.port ?? 6379}`
}

const reasonOf = (error: unknown): string => {
  if (error instanceof Error) return error.message || error.name
  return String(error)
}

/**
 * Watches the client's events. Down: a connection error or a close while not
 * ready. Up: `ready`. `log` gets one line when an outage starts and one when
 * it ends.
 */
export const watchHealth = (
  client: Redis | Cluster,
  name: string,
  log: (line: string) => void,
  now: () => number = Date.now,
): Health => {
  let since: number | undefined
  let reason = 'connection lost'
  let stopped = false
  let signal: { promise: Promise<void>; fire: () => void } | undefined
  const goDown = (why: string) => {
    if (since !== undefined || stopped) return
    since = now()
    reason = why
    signal?.fire()
    signal = undefined
    log(`@tessera/store-redis: ${name} is unreachable (${why}); session calls fail at once until it is back`)
  }
  client.on('error', (error: unknown) => {
    if (client.status !== 'ready') goDown(reasonOf(error))
    else if (since !== undefined) reason = reasonOf(error)
  })
  client.on('close', () => goDown('connection closed'))
  client.on('ready', () => {
    if (since === undefined || stopped) return
    const seconds = ((now() - since) / 1000).toFixed(1)
    since = undefined
    log(`@tessera/store-redis: ${name} is reachable again after ${seconds} s`)
  })
  return {
    downError: (what) =>
      since === undefined ? undefined : new Error(`@tessera/store-redis: ${what}: ${name} is unreachable (${reason})`),
    nextDown: (what) => {
      if (signal === undefined) {
        let fire: () => void = () => {}
        const promise = new Promise<void>((resolve) => {
          fire = resolve
        })
        signal = { promise, fire }
      }
      return signal.promise.then(() => {
        throw new Error(`@tessera/store-redis: ${what}: ${name} is unreachable (${reason})`)
      })
    },
    stop: () => {
      stopped = true
    },
  }
}
