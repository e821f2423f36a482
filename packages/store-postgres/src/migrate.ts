/**
 * Creates or upgrades the schema. Idempotent, and safe when several nodes
 * start at once: everything runs in one transaction that first takes a
 * transaction-scoped advisory lock, so the second node waits, then finds
 * every object in place. A failure rolls the whole migration back.
 */
import { type ConnectionOptions, openPool } from './connection.js'
import { resolveNames, type TableOptions } from './names.js'
import { schemaStatements } from './schema.js'
import { positive } from './validate.js'

/** Options of `migrate`: where to connect and which tables to create. */
export type MigrateOptions = ConnectionOptions &
  TableOptions & {
    /** Give up waiting for another node's migration (the advisory lock) after this many ms; default 30000. */
    readonly lockTimeoutMs?: number
  }

// One key for every Tessera migration in a database (advisory locks are per
// database): it also serialises two migrations that share a new schema.
const LOCK_CLASS = 0x74657373 // 'tess'
const LOCK_OBJECT = 0x6d696772 // 'migr'

/**
 * Creates the tables, indexes and trigger the store needs, or adds what an older
 * (or reference-created) schema lacks.
 * @example
 * await migrate({ connectionString: 'postgres://postgres@127.0.0.1:5432/app', schema: 'auth' })
 */
export const migrate = async (options: MigrateOptions): Promise<void> => {
  const ddl = schemaStatements(resolveNames(options))
  const lockTimeoutMs = positive('lockTimeoutMs', options.lockTimeoutMs, 30_000)
  // Our own pool (if any) is only for this call; DDL may legitimately exceed the store's timeouts.
  const { pool, owned } = openPool(options, lockTimeoutMs)
  try {
    const client = await pool.connect()
    let failure: Error | undefined
    try {
      await client.query('BEGIN')
      await client.query(`SET LOCAL lock_timeout = ${Math.ceil(lockTimeoutMs)}`)
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, LOCK_OBJECT])
      for (const text of ddl) await client.query(text)
      await client.query('COMMIT')
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error))
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      // Passing the failure destroys the connection rather than pooling one in an unknown state.
      client.release(failure)
    }
  } finally {
    if (owned) await pool.end()
  }
}
