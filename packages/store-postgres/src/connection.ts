/**
 * Where a pool comes from: the application's own `pg.Pool`, or one we create
 * from a connection string (and then also end). No module-level pool exists.
 */
import pg from 'pg'

/** Either an existing pool (the application owns it) or a URL (the store creates and ends its pool). */
export type ConnectionOptions =
  | { readonly pool: pg.Pool; readonly connectionString?: never }
  | {
      readonly connectionString: string
      readonly pool?: never
      /** Extra `pg.Pool` settings for the pool created from the connection string. */
      readonly poolConfig?: Omit<pg.PoolConfig, 'connectionString'>
    }

/** A pool and whether we must end it. */
export interface OwnedPool {
  readonly pool: pg.Pool
  readonly owned: boolean
}

/**
 * Opens the pool. For a pool we create, every timeout is the statement timeout,
 * so no connect, query or server-side statement can outlive it.
 */
export const openPool = (options: ConnectionOptions, timeoutMs: number): OwnedPool => {
  if (options.pool !== undefined) return { pool: options.pool, owned: false }
  if (typeof options.connectionString !== 'string') {
    throw new TypeError('@tessera/store-postgres: pass either `pool` or `connectionString`')
  }
  const pool = new pg.Pool({
    application_name: 'tessera',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    ...options.poolConfig,
    connectionString: options.connectionString,
  })
  // An idle client whose server went away emits 'error' on the pool; unhandled, that
  // would crash the process. The next query simply opens a fresh connection.
  pool.on('error', () => {})
  return { pool, owned: true }
}
