/**
 * Writes, plain or under a per-subject limit. A limited write runs in one
 * transaction that first takes an advisory lock on its subject, so the
 * subject's limited writes run one at a time and each counts the sessions
 * the ones before it committed (every statement in READ COMMITTED sees them).
 */
import { createHash } from 'node:crypto'
import type { WriteLimit, WriteOutcome, WriteRequest, WriteResult } from '@tessera/core'
import type { Names } from './names.js'
import type { Run, Settled } from './run.js'
import type { Statements } from './sql.js'

const writeParams = (w: WriteRequest): (string | number | string[])[] => [
  w.key,
  w.name,
  w.value,
  w.now + w.ttl,
  w.createdAt,
  w.now,
  w.index.map((r) => r.audience),
  w.index.map((r) => r.subject),
]

/** The write itself (a fresh record, or a rotation guarded by the previous record's version). */
export const writeRecord = async (run: Run, sql: Statements, w: WriteRequest): Promise<WriteResult> => {
  if (w.previous === undefined) {
    await run('write', sql.write, writeParams(w))
    return 'ok'
  }
  const p = w.previous
  const params = [...writeParams(w), p.key, p.version, p.successor, w.now + p.staleTtl]
  const { rows } = await run<{ rotated: number }>('rotate', sql.rotate, params)
  return Number(rows[0]?.rotated) === 1 ? 'ok' : 'conflict'
}

/**
 * The advisory lock key of a subject: 64 bits of SHA-256 over the tables, the
 * cookie name and the subject (as the first ref has it, which every limited
 * write of that subject shares). A collision only makes two subjects wait for each other.
 */
const lockKey = (names: Names, w: WriteRequest, limit: WriteLimit): string => {
  const text = [names.sessions, w.name, limit.refs[0]?.subject ?? ''].join('\u0000')
  return createHash('sha256').update(text).digest().readBigInt64BE(0).toString()
}

/** A write under `limit`, in the transaction `transaction` opened. */
export const limitedWrite =
  (names: Names, sql: Statements, w: WriteRequest, limit: WriteLimit) =>
  async (run: Run): Promise<Settled<WriteOutcome>> => {
    await run('write', sql.lockSubject, [lockKey(names, w, limit)])
    const mine = w.previous === undefined ? [w.key] : [w.key, w.previous.key]
    const refs = [limit.refs.map((r) => r.audience), limit.refs.map((r) => r.subject)]
    const { rows } = await run<{ sid: string }>('write', sql.limitCount, [w.name, w.now, mine, ...refs])
    const excess = rows.length - limit.max + 1
    if (excess > 0 && !limit.evict) return { commit: false, value: 'full' }
    const victims = excess > 0 ? rows.slice(0, excess).map((r) => r.sid) : []
    const evicted =
      victims.length === 0 ? [] : (await run<{ data: string }>('write', sql.evict, [w.name, victims])).rows
    const written = await writeRecord(run, sql, w)
    // A conflict rolls the evictions back too: the retry counts again.
    if (written === 'conflict') return { commit: false, value: 'conflict' }
    return { commit: true, value: evicted.length === 0 ? 'ok' : { evicted: evicted.map((r) => r.data) } }
  }
