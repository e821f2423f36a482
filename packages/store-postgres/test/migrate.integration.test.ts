import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresStore, migrate } from '../src/index.js'
import { requireDatabase, schemaName, skip, url } from './database.js'

const now = 1_900_000_000

describe.skipIf(skip)('migrate', () => {
  const pool = new pg.Pool({ connectionString: url, max: 8 })
  const schemas: string[] = []
  const fresh = (): string => {
    const schema = schemaName()
    schemas.push(schema)
    return schema
  }
  beforeAll(requireDatabase)
  afterAll(async () => {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await pool.end()
  })

  const objects = async (schema: string): Promise<string[]> => {
    const { rows } = await pool.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'i') ORDER BY 1`,
      [schema],
    )
    return rows.map((r) => r.relname)
  }

  it('is idempotent', async () => {
    const schema = fresh()
    await migrate({ pool, schema })
    const first = await objects(schema)
    await migrate({ pool, schema })
    expect(await objects(schema)).toEqual(first)
    expect(first).toEqual(expect.arrayContaining(['sessions', 'sessions_meta', 'sessions_exp_idx']))
  })

  it('is safe from several nodes at once', async () => {
    const schema = fresh()
    const nodes = Array.from({ length: 6 }, () => migrate({ connectionString: url, schema }))
    await expect(Promise.all(nodes)).resolves.toHaveLength(6)
    expect(await objects(schema)).toContain('sessions_not_before')
  })

  it('runs from the tessera-pg CLI, twice, saying what each run did', () => {
    const schema = fresh()
    const bin = fileURLToPath(new URL('../bin/tessera-pg.js', import.meta.url))
    const said = [`created the session tables in schema ${schema}`, `schema ${schema} is up to date`]
    for (const expected of said) {
      const run = spawnSync(process.execPath, [bin, 'migrate', '--url', url, '--schema', schema], {
        encoding: 'utf8',
        timeout: 15_000,
      })
      expect(run.stderr).toBe('')
      expect(run.stdout).toBe(`tessera-pg: ${expected}\n`)
      expect(run.status).toBe(0)
    }
  })

  it('tells a creation, an upgrade and a run that changed nothing apart', async () => {
    const schema = fresh()
    expect(await migrate({ pool, schema })).toBe('created')
    expect(await migrate({ pool, schema })).toBe('unchanged')
    await pool.query(`ALTER TABLE "${schema}".sessions ALTER COLUMN created SET DEFAULT now()`)
    expect(await migrate({ pool, schema })).toBe('upgraded')
    expect(await migrate({ pool, schema })).toBe('unchanged')
  })

  // The reference's own DDL and statements (its SQL, with values spliced in as it does).
  it('upgrades a database the reference created, and both sides read each other', async () => {
    const schema = fresh()
    const lua = await pool.connect()
    try {
      await lua.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"; SET TimeZone = 'UTC'`)
      await lua.query(`CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, name TEXT, data TEXT,
        exp TIMESTAMP WITH TIME ZONE); CREATE INDEX ON sessions (exp);
        CREATE TABLE IF NOT EXISTS sessions_meta (aud TEXT, sub TEXT,
        sid TEXT REFERENCES sessions (sid) ON DELETE CASCADE ON UPDATE CASCADE, PRIMARY KEY (aud, sub, sid))`)
      await lua.query(`INSERT INTO sessions (sid, name, data, exp) VALUES ('lua', 'session', '["ct"]',
        TO_TIMESTAMP(${now + 60}) AT TIME ZONE 'UTC') ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, exp = EXCLUDED.exp`)
      expect(await migrate({ pool, schema })).toBe('upgraded')
      expect((await objects(schema)).filter((o) => o.startsWith('sessions_exp'))).toEqual(['sessions_exp_idx'])

      // A pool in another time zone must see the same instants: exp is timestamptz throughout.
      const tz = new pg.Pool({ connectionString: url, options: '-c TimeZone=America/New_York' })
      const store = createPostgresStore({ pool: tz, schema })
      // Its times are unknown (0), not the moment the migration added the columns.
      expect(await store.read('session', 'lua', now)).toMatchObject({
        value: '["ct"]',
        version: 1,
        createdAt: 0,
        updatedAt: 0,
        expiresAt: now + 60,
      })

      const ref = { audience: 'YXVk', subject: 'dXNlcg' }
      await store.write({ name: 'session', key: 'ts', value: '["ts"]', ttl: 60, now, createdAt: now, index: [ref] })
      const get = await lua.query(
        `SELECT data FROM sessions WHERE sid = 'ts' AND exp >= TO_TIMESTAMP(${now}) AT TIME ZONE 'UTC'`,
      )
      expect(get.rows).toEqual([{ data: '["ts"]' }])
      const meta = await lua.query(`SELECT sid, exp FROM sessions_meta JOIN sessions USING (sid)
        WHERE aud = 'YXVk' AND sub = 'dXNlcg' AND exp >= TO_TIMESTAMP(${now})`)
      expect(meta.rows.map((r) => r.sid)).toEqual(['ts'])

      // The reference rewrites rows in place without a version: the trigger bumps it,
      // so our compare-and-set sees the change instead of overwriting it.
      await lua.query(`INSERT INTO sessions (sid, name, data, exp) VALUES ('ts', 'session', '["lua"]',
        TO_TIMESTAMP(${now + 90}) AT TIME ZONE 'UTC') ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, exp = EXCLUDED.exp`)
      const update = { name: 'session', key: 'ts', value: '["mine"]', version: 1, now }
      expect(await store.update(update)).toBe('conflict')
      expect(await store.read('session', 'ts', now)).toMatchObject({ value: '["lua"]', version: 2 })
      await store.close()
      await tz.end()
    } finally {
      lua.release()
    }
  })
})
