import type { Cluster, Redis } from 'ioredis'
import type { KeyLayout } from './keys.js'
import type { Scripts } from './scripts.js'

/** What the store's operations share. */
export interface Context {
  readonly client: Redis | Cluster
  readonly keys: KeyLayout
  readonly scripts: Scripts
  /** True when keys may be spread over Cluster slots. */
  readonly cluster: boolean
}
