/**
 * The `SessionStore` port on PostgreSQL. Core decides expiry; this adapter
 * only persists, and filters every read by the `now` it is given so expired
 * rows are invisible long before the purge removes them.
 */
import type { Clock, IndexEntry, SessionRecord, SessionStore, SubjectRef } from '@tessera/core'
import { type ConnectionOptions, openPool } from './connection.js'
import { resolveNames, type TableOptions } from './names.js'
import { type PurgeResult, purger } from './purge.js'
import { runner, transaction } from './run.js'
import { statements } from './sql.js'
import { positive } from './validate.js'
import { limitedWrite, writeRecord } from './write.js'

/** Options of `createPostgresStore`: a pool or URL, table names, timeouts and the purge timer. */
export type PostgresStoreOptions = ConnectionOptions &
  TableOptions & {
    /** Upper bound of every call (connect + query), in milliseconds; default 2000. */
    readonly statementTimeoutMs?: number
    /** Run `purgeExpired()` this often, off the request path; the timer never keeps the process alive. */
    readonly purgeIntervalMs?: number
    /** Receives errors of the timed purge (which has no caller to reject); default: ignore. */
    readonly onPurgeError?: (error: unknown) => void
    /** Rows deleted per purge statement, so a big backlog never holds long locks; default 1000. */
    readonly purgeBatchSize?: number
    /** Wall clock for the timed purge; default `Date.now`. */
    readonly clock?: Clock
    /** Use named prepared statements (faster); turn off behind poolers that cannot keep them. Default true. */
    readonly preparedStatements?: boolean
  }

/** The port plus the operations that belong to the adapter, not to the engine. */
export interface PostgresStore extends SessionStore {
  /** Deletes expired sessions and revocation marks (as of `now`, epoch seconds; default the clock). */
  readonly purgeExpired: (now?: number) => Promise<PurgeResult>
  /** Stops the purge timer and, when the store created its pool, ends that pool. */
  readonly close: () => Promise<void>
}

/**
 * "Log out everywhere" repeats its DELETE until one deletes nothing. One
 * statement sees the rows committed when it started: a rotation in flight
 * then holds the row it replaces, so the DELETE waits for it, deletes that
 * row, and cannot see the successor it committed. The next pass, a new
 * statement, does; and a rotation that starts after a pass has deleted its
 * row finds nothing to replace and fails. So a pass that deletes nothing
 * proves no rotation escaped; the bound only stops a client that keeps
 * rotating faster than a pass runs.
 */
const MAX_REMOVE_PASSES = 16

interface RecordRow {
  readonly data: string
  readonly version: number
  readonly successor: string | null
  /** NULL for a row the reference wrote. */
  readonly created: number | null
  readonly updated: number | null
  readonly exp: number
}

// Number(): pg's type parsers are process-global, and an application may have
// told them to return float8 or int4 as strings.
const toRecord = (row: RecordRow): SessionRecord => ({
  value: row.data,
  version: Number(row.version),
  successor: row.successor,
  // 0: unknown (a row the reference wrote), as the port has it.
  createdAt: row.created === null ? 0 : Number(row.created),
  updatedAt: row.updated === null ? 0 : Number(row.updated),
  expiresAt: Number(row.exp),
})

const columns = (refs: readonly SubjectRef[]): [string[], string[]] => [
  refs.map((r) => r.audience),
  refs.map((r) => r.subject),
]

/**
 * Creates a PostgreSQL session store (run `migrate` first).
 * @example
 * const store = createPostgresStore({ connectionString: process.env.DATABASE_URL!, purgeIntervalMs: 60_000 })
 * const engine = createSessionEngine(options, { store })
 */
export const createPostgresStore = (options: PostgresStoreOptions): PostgresStore => {
  const timeoutMs = positive('statementTimeoutMs', options.statementTimeoutMs, 2000)
  const batchSize = positive('purgeBatchSize', options.purgeBatchSize, 1000, true)
  const interval =
    options.purgeIntervalMs === undefined ? undefined : positive('purgeIntervalMs', options.purgeIntervalMs, 0)
  const names = resolveNames(options)
  const sql = statements(names)
  const { pool, owned } = openPool(options, timeoutMs)
  const prepare = options.preparedStatements ?? true
  const run = runner(pool, timeoutMs, prepare)
  const inTransaction = transaction(pool, timeoutMs, prepare)
  const clock = options.clock ?? { now: () => Date.now() }
  const purge = purger(run, names, batchSize)
  const purgeExpired = (now = clock.now() / 1000): Promise<PurgeResult> => purge(now)

  let running: Promise<unknown> | undefined
  let closing: Promise<void> | undefined
  const timer =
    interval === undefined
      ? undefined
      : setInterval(() => {
          if (running !== undefined) return // a slow purge is never stacked
          running = purgeExpired()
            .catch(options.onPurgeError ?? (() => {}))
            .finally(() => {
              running = undefined
            })
        }, interval).unref()

  return {
    read: async (name, key, now) => {
      const { rows } = await run<RecordRow>('read', sql.read, [key, name, now])
      const row = rows[0]
      return row === undefined ? null : toRecord(row)
    },
    write: (w) =>
      w.limit === undefined ? writeRecord(run, sql, w) : inTransaction('write', limitedWrite(names, sql, w, w.limit)),
    update: async (u) => {
      const { rowCount } = await run('update', sql.update, [u.key, u.name, u.value, u.version, u.now])
      return rowCount === 1 ? 'ok' : 'conflict'
    },
    touch: async (name, key, at) => {
      await run('touch', sql.touch, [key, name, at])
    },
    remove: async (name, key) => {
      await run('remove', sql.remove, [key, name])
    },
    listIndex: async (name, ref, now) => {
      const { rows } = await run<{ sid: string; exp: number }>('listIndex', sql.listIndex, [
        ref.audience,
        ref.subject,
        name,
        now,
      ])
      return rows.map((r): IndexEntry => ({ key: r.sid, expiresAt: Number(r.exp) }))
    },
    removeIndexed: async (name, ref, keep, now) => {
      const params = [ref.audience, ref.subject, name, keep, now]
      let removed = 0
      for (let pass = 0; pass < MAX_REMOVE_PASSES; pass++) {
        const { rows } = await run<{ touched: number; removed: number }>('removeIndexed', sql.removeIndexed, params)
        removed += Number(rows[0]?.removed ?? 0)
        if (Number(rows[0]?.touched ?? 0) === 0) break
      }
      return removed
    },
    deny: async (name, key, until) => {
      await run('deny', sql.deny, [name, key, until])
    },
    isDenied: async (name, key, now) => {
      const { rowCount } = await run('isDenied', sql.isDenied, [name, key, now])
      return (rowCount ?? 0) > 0
    },
    setNotBefore: async (name, ref, time, until) => {
      await run('setNotBefore', sql.setNotBefore, [name, ref.audience, ref.subject, time, until])
    },
    getNotBefore: async (name, refs, now) => {
      if (refs.length === 0) return null
      const { rows } = await run<{ nbf: number | null }>('getNotBefore', sql.getNotBefore, [
        name,
        ...columns(refs),
        now,
      ])
      const nbf = rows[0]?.nbf
      return nbf === undefined || nbf === null ? null : Number(nbf)
    },
    purgeExpired,
    close: () => {
      closing ??= (async () => {
        clearInterval(timer)
        await running
        if (owned) await pool.end()
      })()
      return closing
    },
  }
}
