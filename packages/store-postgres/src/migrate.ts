/**
 * Creates or upgrades the schema. Idempotent, and safe when several nodes
 * start at once: everything runs in one transaction that first takes a
 * transaction-scoped advisory lock, so the second node waits, then finds
 * every object in place. A failure rolls the whole migration back.
 */
import type pg from 'pg'
import { type ConnectionOptions, openPool } from './connection.js'
import { type Names, resolveNames, type TableOptions } from './names.js'
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

/** What a migration did: made the tables, changed an existing schema, or found it as it should be. */
export type MigrateResult = 'created' | 'upgraded' | 'unchanged'

// The columns (type, nullability, default), indexes and trigger of the store's tables and the
// trigger function's body: two equal fingerprints mean the DDL changed nothing.
const FINGERPRINT = `SELECT to_regclass($1) IS NOT NULL AS present, coalesce(string_agg(x, '|' ORDER BY x), '') AS fingerprint
  FROM (
    SELECT a.attrelid::regclass::text || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':'
      || a.attnotnull::text || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS x
    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = ANY (ARRAY[to_regclass($1), to_regclass($2), to_regclass($3), to_regclass($4)])
      AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT i.indexrelid::regclass::text FROM pg_index i
    WHERE i.indrelid = ANY (ARRAY[to_regclass($1), to_regclass($2), to_regclass($3), to_regclass($4)])
    UNION ALL SELECT t.tgname::text FROM pg_trigger t WHERE t.tgrelid = to_regclass($1) AND NOT t.tgisinternal
    UNION ALL SELECT md5(p.prosrc) FROM pg_proc p WHERE p.oid = to_regprocedure($5 || '()')
  ) parts`

const fingerprint = async (client: pg.PoolClient, n: Names) => {
  const { rows } = await client.query<{ present: boolean; fingerprint: string }>(FINGERPRINT, [
    n.sessions,
    n.meta,
    n.denied,
    n.notBefore,
    n.versionFunction,
  ])
  return rows[0] ?? { present: false, fingerprint: '' }
}

/**
 * Creates the tables, indexes and trigger the store needs, or adds what an older
 * (or reference-created) schema lacks; resolves to what it did.
 * @example
 * await migrate({ connectionString: 'postgres://postgres@127.0.0.1:5432/app', schema: 'auth' })
 */
export const migrate = async (options: MigrateOptions): Promise<MigrateResult> => {
  const names = resolveNames(options)
  const ddl = schemaStatements(names)
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
      const before = await fingerprint(client, names)
      for (const text of ddl) await client.query(text)
      const after = await fingerprint(client, names)
      await client.query('COMMIT')
      return !before.present ? 'created' : before.fingerprint === after.fingerprint ? 'unchanged' : 'upgraded'
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
