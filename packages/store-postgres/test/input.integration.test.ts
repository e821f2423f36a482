import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresStore, type PostgresStore } from '../src/index.js'
import { freshSchema, requireDatabase, skip } from './database.js'

const now = 1_900_000_000
const write = (name: string, key: string, value: string, index: { audience: string; subject: string }[] = []) => ({
  name,
  key,
  value,
  ttl: 60,
  now,
  createdAt: now,
  index,
})

// Every string that could change a statement if it were spliced in rather than bound.
const hostile = [
  `'; DROP TABLE sessions; --`,
  `"quoted" \\'escaped\\'`,
  '100%',
  'a_b',
  'back\\slash',
  '$1',
  '$$ dollar $$',
  'zürich ✓ 𝄞 \u200b',
  'line\nbreak\ttab',
]

describe.skipIf(skip)('hostile input', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>
  let store: PostgresStore
  beforeAll(async () => {
    requireDatabase()
    db = await freshSchema()
    store = createPostgresStore({ pool: db.pool, schema: db.schema })
  })
  afterAll(async () => {
    await store?.close()
    await db?.drop()
  })

  it('stores and matches names, keys, values, audiences and subjects literally', async () => {
    for (const [i, s] of hostile.entries()) {
      const ref = { audience: s, subject: `${s}${i}` }
      await store.write(write(s, `${s}:${i}`, s, [ref]))
      expect(await store.read(s, `${s}:${i}`, now)).toMatchObject({ value: s })
      expect(await store.listIndex(s, ref, now)).toEqual([{ key: `${s}:${i}`, expiresAt: now + 60 }])
      await store.deny(s, s, now + 60, now)
      expect(await store.isDenied(s, s, now)).toBe(true)
      await store.setNotBefore(s, ref, now, now + 60)
      expect(await store.getNotBefore(s, [ref], now)).toBe(now)
    }
    // `%` and `_` are not patterns: neither matches 'a_b' nor '100%' by accident.
    expect(await store.listIndex('100%', { audience: '100_', subject: '100%0' }, now)).toEqual([])
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".sessions`)
    expect(rows[0].n).toBe(hostile.length)
  })

  it('refuses NUL with a clear rejection, in every kind of parameter, and writes nothing', async () => {
    const nul = 'a\u0000b'
    const message = /contains a NUL character \(U\+0000\), which PostgreSQL text cannot store/
    await expect(store.write(write('n', 'k-nul', '["x"]', [{ audience: 'aud', subject: nul }]))).rejects.toThrow(
      message,
    )
    await expect(store.write(write('n', nul, '["x"]'))).rejects.toThrow(message)
    await expect(store.read('n', nul, now)).rejects.toThrow(message)
    await expect(store.listIndex('n', { audience: nul, subject: 's' }, now)).rejects.toThrow(message)
    await expect(store.removeIndexed('n', { audience: 'a', subject: 's' }, [nul], now)).rejects.toThrow(message)
    await expect(store.deny('n', nul, now, now)).rejects.toThrow(message)
    await expect(store.getNotBefore('n', [{ audience: 'a', subject: nul }], now)).rejects.toThrow(message)
    expect(await store.read('n', 'k-nul', now)).toBeNull()
  })

  it('refuses lone surrogates, which would collapse into one stored string', async () => {
    await expect(store.write(write('n', 'k\ud800', '["x"]'))).rejects.toThrow(/lone UTF-16 surrogate/)
  })

  it('refuses a time that is not a finite number', async () => {
    await expect(store.read('n', 'k', Number.NaN)).rejects.toThrow(/NaN is not a time/)
  })
})
