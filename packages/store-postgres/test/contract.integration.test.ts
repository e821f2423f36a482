import { describeEngineContract, describeRevocationStoreContract, describeSessionStoreContract } from '@tessera/testing'
import { describe, it } from 'vitest'
import { createPostgresStore, type PostgresStore } from '../src/index.js'
import { freshSchema, requireDatabase, skip } from './database.js'

interface Harness {
  readonly store: PostgresStore
  readonly reset: () => Promise<void>
  readonly close: () => Promise<void>
}

/** A store on a schema of its own; reset empties every table. */
const setup = async (): Promise<Harness> => {
  requireDatabase()
  const db = await freshSchema()
  const store = createPostgresStore({ pool: db.pool, schema: db.schema })
  const tables = ['sessions', 'sessions_meta', 'sessions_denied', 'sessions_not_before']
  const truncate = `TRUNCATE ${tables.map((t) => `"${db.schema}"."${t}"`).join(', ')}`
  return {
    store,
    reset: async () => {
      await db.pool.query(truncate)
    },
    close: async () => {
      await store.close()
      await db.drop()
    },
  }
}

if (skip) {
  describe.skip('SessionStore and engine contracts: postgres (no database reachable)', () => {
    it('needs PostgreSQL', () => {})
  })
} else {
  describeSessionStoreContract('postgres', setup, { purge: (h) => h.store.purgeExpired() })
  describeEngineContract('postgres', setup)
  // What a cookie-storage deployment hands over: the four mark functions alone.
  describeRevocationStoreContract(
    'postgres, its revocation marks alone',
    async () => {
      const h = await setup()
      const { deny, isDenied, setNotBefore, getNotBefore } = h.store
      return { ...h, pg: h.store, store: { deny, isDenied, setNotBefore, getNotBefore } }
    },
    { purge: (h) => h.pg.purgeExpired() },
  )
}
