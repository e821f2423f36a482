import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresStore, type PostgresStore } from '../src/index.js'
import { freshSchema, requireDatabase, skip, url } from './database.js'

const now = 1_900_000_000
const name = 'session'
const ref = { audience: 'YXVk', subject: 'dXNlcg' }

// Table names that must be quoted to survive: capitals, a space, a double quote.
describe.skipIf(skip)('createPostgresStore on oddly named tables', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>
  let store: PostgresStore
  beforeAll(async () => {
    requireDatabase()
    db = await freshSchema({ table: 'Web "Sessions"', metaTable: 'Web Index' })
    store = createPostgresStore({ pool: db.pool, schema: db.schema, table: 'Web "Sessions"', metaTable: 'Web Index' })
  })
  afterAll(async () => {
    await store?.close()
    await db?.drop()
  })

  it('writes, rotates and lists through the quoted names', async () => {
    await store.write({ name, key: 'k1', value: '["a"]', ttl: 60, now, createdAt: now, index: [ref] })
    const previous = { key: 'k1', version: 1, successor: 'H', staleTtl: 5 }
    const rotated = { name, key: 'k2', value: '["b"]', ttl: 60, now, createdAt: now, index: [ref], previous }
    expect(await store.write(rotated)).toBe('ok')
    expect(await store.listIndex(name, ref, now)).toEqual([{ key: 'k2', expiresAt: now + 60 }])
    const { rows } = await db.pool.query(`SELECT sid FROM "${db.schema}"."Web ""Sessions""" ORDER BY sid`)
    expect(rows.map((r) => r.sid)).toEqual(['k1', 'k2'])
  })

  it('keeps the pool it was given open on close', async () => {
    const other = createPostgresStore({ pool: db.pool, schema: db.schema, table: 'Web "Sessions"' })
    await other.close()
    await expect(db.pool.query('SELECT 1')).resolves.toBeDefined()
  })

  it('refuses identifiers Postgres would truncate or cannot hold', () => {
    expect(() => createPostgresStore({ pool: db.pool, table: 'x'.repeat(64) })).toThrow(/longer than 63 bytes/)
    expect(() => createPostgresStore({ pool: db.pool, schema: 'a\u0000b' })).toThrow(/NUL/)
    expect(() => createPostgresStore({ pool: db.pool, table: '' })).toThrow(/empty/)
  })

  it('refuses unusable timeouts and batch sizes before any I/O', () => {
    expect(() => createPostgresStore({ pool: db.pool, statementTimeoutMs: 0 })).toThrow(/statementTimeoutMs must be/)
    expect(() => createPostgresStore({ pool: db.pool, purgeIntervalMs: Number.NaN })).toThrow(/purgeIntervalMs/)
    expect(() => createPostgresStore({ pool: db.pool, purgeBatchSize: 1.5 })).toThrow(/positive integer/)
  })

  it('closes a pool it created once, however often close is called', async () => {
    const own = createPostgresStore({ connectionString: url, schema: db.schema, table: 'Web "Sessions"' })
    expect(await own.read(name, 'k2', now)).toMatchObject({ value: '["b"]' })
    await Promise.all([own.close(), own.close()])
    await own.close()
    await expect(own.read(name, 'k2', now)).rejects.toThrow(/read failed: Cannot use a pool after calling end/)
  })
})

// A constraint that only the index insert trips: the failure comes last in the
// statement, after the guard update and the new row, and must undo both.
describe.skipIf(skip)('atomicity', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>
  let store: PostgresStore
  beforeAll(async () => {
    requireDatabase()
    db = await freshSchema()
    await db.pool.query(`ALTER TABLE "${db.schema}".sessions_meta ADD CONSTRAINT no_boom CHECK (sub <> 'boom')`)
    store = createPostgresStore({ pool: db.pool, schema: db.schema })
  })
  afterAll(async () => {
    await store?.close()
    await db?.drop()
  })

  it('leaves no trace of a rotation whose index write fails', async () => {
    await store.write({ name, key: 'old', value: '["a"]', ttl: 60, now, createdAt: now, index: [ref] })
    const previous = { key: 'old', version: 1, successor: 'H', staleTtl: 5 }
    const index = [ref, { audience: 'YXVk', subject: 'boom' }]
    const rotation = { name, key: 'new', value: '["b"]', ttl: 60, now, createdAt: now, index, previous }
    await expect(store.write(rotation)).rejects.toThrow(/rotate failed: .*no_boom/)
    expect(await store.read(name, 'old', now)).toMatchObject({ version: 1, successor: null, expiresAt: now + 60 })
    expect(await store.read(name, 'new', now)).toBeNull()
    expect(await store.listIndex(name, ref, now)).toEqual([{ key: 'old', expiresAt: now + 60 }])
  })

  it('leaves no record behind when a fresh write cannot be indexed', async () => {
    const index = [{ audience: 'YXVk', subject: 'boom' }]
    await expect(
      store.write({ name, key: 'lonely', value: '["c"]', ttl: 60, now, createdAt: now, index }),
    ).rejects.toThrow(/write failed: .*no_boom/)
    expect(await store.read(name, 'lonely', now)).toBeNull()
  })
})

describe.skipIf(skip)('purge', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>
  beforeAll(async () => {
    requireDatabase()
    db = await freshSchema()
  })
  afterAll(async () => {
    await db?.drop()
  })

  it('deletes in batches until nothing expired is left, counting per table', async () => {
    const store = createPostgresStore({ pool: db.pool, schema: db.schema, purgeBatchSize: 2 })
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      await store.write({ name, key, value: '["x"]', ttl: 10, now, createdAt: now, index: [ref] })
    }
    await store.write({ name, key: 'live', value: '["x"]', ttl: 1000, now, createdAt: now, index: [ref] })
    await store.deny(name, 'a', now + 10, now)
    await store.setNotBefore(name, ref, now, now + 10)
    expect(await store.purgeExpired(now + 10)).toEqual({ sessions: 5, denied: 1, notBefore: 1 })
    const { rows } = await db.pool.query(`SELECT sid FROM "${db.schema}".sessions_meta`)
    expect(rows).toEqual([{ sid: 'live' }])
    await store.close()
  })

  it('runs on the interval, with the clock given, until closed', async () => {
    let seconds = now
    const store = createPostgresStore({
      pool: db.pool,
      schema: db.schema,
      purgeIntervalMs: 20,
      clock: { now: () => seconds * 1000 },
    })
    await store.write({ name, key: 'timed', value: '["x"]', ttl: 10, now, createdAt: now, index: [] })
    seconds = now + 10
    await expect
      .poll(async () => (await db.pool.query(`SELECT 1 FROM "${db.schema}".sessions WHERE sid = 'timed'`)).rowCount)
      .toBe(0)
    await store.close()
  })

  // A ref'd timer would keep this child alive after its pool ended; it must exit by itself.
  it('never keeps the process alive with its timer', () => {
    const code = `
      import pg from 'pg'
      import { createPostgresStore } from ${JSON.stringify(fileURLToPath(new URL('../src/index.ts', import.meta.url)))}
      const pool = new pg.Pool({ connectionString: ${JSON.stringify(url)} })
      createPostgresStore({ pool, schema: ${JSON.stringify(db.schema)}, purgeIntervalMs: 100 })
      await pool.query('SELECT 1')
      await pool.end()
      console.log('ended')`
    const started = Date.now()
    const child = spawnSync(
      process.execPath,
      ['--conditions=@tessera/source', '--import', 'tsx', '--input-type=module', '-e', code],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 6000 },
    )
    expect(child.stderr).toBe('')
    expect(child.stdout.trim()).toBe('ended')
    expect(child.status).toBe(0)
    expect(Date.now() - started).toBeLessThan(6000)
  })

  it('reports failures of the timed purge to onPurgeError instead of throwing', async () => {
    const errors: unknown[] = []
    const store = createPostgresStore({
      pool: db.pool,
      schema: 'tessera_no_such_schema',
      purgeIntervalMs: 10,
      onPurgeError: (e) => errors.push(e),
    })
    await expect.poll(() => errors.length).toBeGreaterThan(0)
    await store.close()
    expect(String(errors[0])).toMatch(/purgeExpired failed: relation .* does not exist/)
  })
})
