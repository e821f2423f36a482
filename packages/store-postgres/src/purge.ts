/**
 * Removes expired rows, off the request path (the reference instead ran a
 * cleanup inside one in a thousand writes). Deletes go in batches with
 * SKIP LOCKED, so purges running on several nodes at once share the work
 * instead of queueing behind each other, and no batch holds locks for long.
 */
import type { Names } from './names.js'
import { type Run, type Statement, statement } from './run.js'

/** How many rows one purge deleted, per table. */
export interface PurgeResult {
  readonly sessions: number
  readonly denied: number
  readonly notBefore: number
}

// ctid addresses the row without relying on a key, so one shape serves every table.
const batchDelete = (table: string): Statement =>
  statement(`DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM ${table} WHERE exp <= to_timestamp($1) LIMIT $2 FOR UPDATE SKIP LOCKED
  ))`)

/** Builds the purge for the given tables; the returned function deletes until no batch is full. */
export const purger = (run: Run, names: Names, batchSize: number) => {
  const sessions = batchDelete(names.sessions)
  const denied = batchDelete(names.denied)
  const notBefore = batchDelete(names.notBefore)
  const drain = async (stmt: Statement, now: number): Promise<number> => {
    let total = 0
    for (;;) {
      const { rowCount } = await run('purgeExpired', stmt, [now, batchSize])
      total += rowCount ?? 0
      if ((rowCount ?? 0) < batchSize) return total
    }
  }
  return async (now: number): Promise<PurgeResult> => ({
    sessions: await drain(sessions, now),
    denied: await drain(denied, now),
    notBefore: await drain(notBefore, now),
  })
}
