/**
 * Runs one statement: checks its text parameters, names it so each connection
 * prepares it once, and bounds it by a deadline so no call ever hangs, even on
 * a pool the application configured without timeouts.
 */
import { createHash } from 'node:crypto'
import type pg from 'pg'

/** A statement with a stable prepared-statement name derived from its text. */
export interface Statement {
  readonly name: string
  readonly text: string
}

/** Names a statement after a hash of its text, so two stores on one pool with different tables never clash. */
export const statement = (text: string): Statement => ({
  name: `tessera_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`,
  text,
})

/** A parameter value; arrays become `text[]`. */
type Param = string | number | readonly string[]

/** Runs statements against one pool. */
export type Run = <R extends pg.QueryResultRow>(
  operation: string,
  stmt: Statement,
  values: readonly Param[],
) => Promise<pg.QueryResult<R>>

// A lone surrogate would be re-encoded as U+FFFD, so two different strings would
// be stored as the same text: refused like NUL rather than silently merged.
const LONE_SURROGATE = /\p{Cs}/u

const checkText = (operation: string, value: string): void => {
  if (value.includes('\u0000')) {
    throw new TypeError(
      `@tessera/store-postgres: ${operation}: a value contains a NUL character (U+0000), which PostgreSQL text cannot store`,
    )
  }
  if (LONE_SURROGATE.test(value)) {
    throw new TypeError(
      `@tessera/store-postgres: ${operation}: a value contains a lone UTF-16 surrogate, which is not valid UTF-8 text`,
    )
  }
}

const checkParams = (operation: string, values: readonly Param[]): void => {
  for (const value of values) {
    if (typeof value === 'string') checkText(operation, value)
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypeError(`@tessera/store-postgres: ${operation}: ${value} is not a time`)
    } else for (const item of value) checkText(operation, item)
  }
}

const fail = (operation: string, cause: unknown): Error => {
  const message = cause instanceof Error ? cause.message : String(cause)
  return new Error(`@tessera/store-postgres: ${operation} failed: ${message}`, { cause })
}

/** What statements run on: the pool, or one connection of it inside a transaction. */
type Queryable = Pick<pg.PoolClient, 'query'>

/** Builds the runner for a pool or a connection; `prepare: false` suits poolers that cannot keep named statements. */
export const runner =
  (pool: Queryable, timeoutMs: number, prepare: boolean): Run =>
  async (operation, stmt, values) => {
    checkParams(operation, values)
    const config: pg.QueryConfig & { query_timeout: number } = {
      text: stmt.text,
      values: values as unknown[],
      query_timeout: timeoutMs,
      ...(prepare ? { name: stmt.name } : {}),
    }
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      return await Promise.race([pool.query(config), deadline])
    } catch (cause) {
      throw fail(operation, cause)
    } finally {
      clearTimeout(timer)
    }
  }

/** What a transaction's work decided: keep its writes or roll them back, and its result either way. */
export interface Settled<A> {
  readonly commit: boolean
  readonly value: A
}

/**
 * Runs `work` in one transaction on one connection of the pool, each
 * statement bounded as `runner` bounds it. A failure closes the connection
 * instead of sending ROLLBACK behind a statement that may still be running.
 */
export const transaction =
  (pool: pg.Pool, timeoutMs: number, prepare: boolean) =>
  async <A>(operation: string, work: (run: Run) => Promise<Settled<A>>): Promise<A> => {
    let client: pg.PoolClient
    try {
      client = await pool.connect()
    } catch (cause) {
      throw fail(operation, cause)
    }
    const run = runner(client, timeoutMs, prepare)
    // Transaction control is never prepared: a pooler that keeps named statements may still refuse these.
    const control = runner(client, timeoutMs, false)
    try {
      await control(operation, BEGIN, [])
      const settled = await work(run)
      await control(operation, settled.commit ? COMMIT : ROLLBACK, [])
      client.release()
      return settled.value
    } catch (cause) {
      client.release(cause instanceof Error ? cause : true)
      throw cause
    }
  }

const BEGIN = statement('BEGIN')
const COMMIT = statement('COMMIT')
const ROLLBACK = statement('ROLLBACK')
