/**
 * The test database: TESSERA_PG_URL (default the local trust-auth server),
 * one random schema per test file, dropped afterwards. Outside CI an
 * unreachable server skips the suites loudly; with CI=true it fails them.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { migrate } from '../src/index.js'

export const url = process.env.TESSERA_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

const probe = async (): Promise<string | undefined> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    await client.end().catch(() => {})
  }
}

const problem = await probe()
if (problem !== undefined && process.env.CI !== 'true') {
  console.warn(
    `\n${'!'.repeat(72)}\n!! @tessera/store-postgres: PostgreSQL at ${url} is unreachable (${problem}).\n` +
      `!! Integration tests are SKIPPED. Set TESSERA_PG_URL or start Postgres; CI=true makes this fail.\n${'!'.repeat(72)}\n`,
  )
}

/** True when the suites must be skipped (no server, not CI). */
export const skip = problem !== undefined && process.env.CI !== 'true'

/** Call first in every suite: under CI an unreachable server is a failure, not a skip. */
export const requireDatabase = (): void => {
  if (problem !== undefined) throw new Error(`PostgreSQL at ${url} must be reachable when CI=true: ${problem}`)
}

/** A fresh random schema name, so parallel runs and leftovers never collide. */
export const schemaName = (): string => `tessera_test_${randomBytes(6).toString('hex')}`

/** Creates a migrated schema and returns a pool plus its teardown. */
export const freshSchema = async (tables: { table?: string; metaTable?: string } = {}) => {
  const schema = schemaName()
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  pool.on('error', () => {})
  await migrate({ pool, schema, ...tables })
  return {
    schema,
    pool,
    drop: async (): Promise<void> => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await pool.end()
    },
  }
}
