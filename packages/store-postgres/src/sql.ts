/**
 * Every statement the store runs. Each is a single statement (multi-table
 * writes are data-modifying CTEs), so each is atomic without an explicit
 * transaction and costs one round trip. Times are always `to_timestamp($n)`
 * of the epoch seconds the caller passed, compared with `timestamptz`
 * columns: never the database clock, never an `AT TIME ZONE` conversion.
 */
import { ANY_AUDIENCE } from '@tessera/core'
import type { Names } from './names.js'
import { type Statement, statement } from './run.js'

/** The store's statements for one set of tables. */
export interface Statements {
  readonly read: Statement
  readonly write: Statement
  readonly rotate: Statement
  readonly update: Statement
  readonly touch: Statement
  readonly remove: Statement
  readonly listIndex: Statement
  readonly removeIndexed: Statement
  readonly deny: Statement
  readonly isDenied: Statement
  readonly setNotBefore: Statement
  readonly getNotBefore: Statement
  readonly lockSubject: Statement
  readonly limitCount: Statement
  readonly evict: Statement
}

const epoch = (column: string): string => `extract(epoch FROM ${column})::float8`

// Shared by `write` and `rotate`: upsert the new record, then index it. The index
// rows are selected FROM the upsert so they exist only if the record does.
// $1 sid, $2 name, $3 data, $4 exp, $5 created, $6 now, $7 audiences, $8 subjects.
const upsertAndIndex = (n: Names, source: string): string => `
  inserted AS (
    INSERT INTO ${n.sessions} AS s (sid, name, data, exp, version, successor, created, updated)
    SELECT $1, $2, $3, to_timestamp($4), 1, NULL, to_timestamp($5), to_timestamp($6) ${source}
    ON CONFLICT (sid) DO UPDATE SET
      name = EXCLUDED.name, data = EXCLUDED.data, exp = EXCLUDED.exp, version = 1,
      successor = NULL, created = EXCLUDED.created, updated = EXCLUDED.updated
    RETURNING sid
  ),
  indexed AS (
    INSERT INTO ${n.meta} (aud, sub, sid)
    SELECT r.aud, r.sub, inserted.sid FROM inserted, unnest($7::text[], $8::text[]) AS r(aud, sub)
    ON CONFLICT DO NOTHING
  )`

/** Builds the statements for the given tables. */
export const statements = (n: Names): Statements => ({
  read: statement(`SELECT data, version, successor,
      ${epoch('created')} AS created, ${epoch('updated')} AS updated, ${epoch('exp')} AS exp
    FROM ${n.sessions}
    WHERE sid = $1 AND name = $2 AND exp > to_timestamp($3) AND data IS NOT NULL`),
  write: statement(`WITH ${upsertAndIndex(n, '')} SELECT 1`),
  // $9 previous sid, $10 its expected version, $11 successor header, $12 stale expiry.
  // Only when the guard row updates does anything else happen: `inserted` selects
  // FROM `previous`, and `indexed` FROM `inserted`.
  rotate: statement(`WITH previous AS (
      UPDATE ${n.sessions}
      SET successor = $11, version = version + 1, updated = to_timestamp($6),
        exp = LEAST(exp, to_timestamp($12))
      WHERE sid = $9 AND name = $2 AND version = $10 AND successor IS NULL
        AND exp > to_timestamp($6) AND data IS NOT NULL
      RETURNING sid
    ),
    unindexed AS (DELETE FROM ${n.meta} WHERE sid IN (SELECT sid FROM previous)),
    ${upsertAndIndex(n, 'FROM previous')}
    SELECT count(*)::int AS rotated FROM previous`),
  update: statement(`UPDATE ${n.sessions}
    SET data = $3, version = version + 1, updated = to_timestamp($5)
    WHERE sid = $1 AND name = $2 AND version = $4 AND exp > to_timestamp($5) AND data IS NOT NULL`),
  // Only `updated` moves (so the version trigger leaves the version alone); a row the
  // reference wrote keeps its unknown time (NULL < x is not true).
  touch: statement(`UPDATE ${n.sessions} SET updated = to_timestamp($3)
    WHERE sid = $1 AND name = $2 AND updated < to_timestamp($3) AND successor IS NULL
      AND exp > to_timestamp($3) AND data IS NOT NULL`),
  // Index rows go with the record through ON DELETE CASCADE.
  remove: statement(`DELETE FROM ${n.sessions} WHERE sid = $1 AND name = $2`),
  // The any-audience ref ('*') also covers the subject's rows under every audience (the
  // reference writes only those); EXISTS lists a session in several of them once.
  listIndex: statement(`SELECT s.sid, ${epoch('s.exp')} AS exp
    FROM ${n.sessions} s
    WHERE s.name = $3 AND s.exp > to_timestamp($4) AND s.data IS NOT NULL AND EXISTS (
      SELECT 1 FROM ${n.meta} m WHERE m.sid = s.sid AND m.sub = $2 AND (m.aud = $1 OR $1 = '${ANY_AUDIENCE}'))
    ORDER BY s.exp, s.sid`),
  // Expired members are deleted too (they are garbage anyway) but not counted, nor
  // is a record a concurrent rotation replaced while we waited for its row lock:
  // its successor is counted by the next pass. `touched` counts every row.
  removeIndexed: statement(`WITH removed AS (
      DELETE FROM ${n.sessions} s
      WHERE s.name = $3 AND s.sid <> ALL ($4::text[]) AND EXISTS (
        SELECT 1 FROM ${n.meta} m WHERE m.sid = s.sid AND m.sub = $2 AND (m.aud = $1 OR $1 = '${ANY_AUDIENCE}'))
      RETURNING s.exp, s.data, s.successor
    )
    SELECT count(*)::int AS touched,
      (count(*) FILTER (WHERE exp > to_timestamp($5) AND data IS NOT NULL AND successor IS NULL))::int AS removed
    FROM removed`),
  deny: statement(`INSERT INTO ${n.denied} AS d (name, sid, exp) VALUES ($1, $2, to_timestamp($3))
    ON CONFLICT (name, sid) DO UPDATE SET exp = GREATEST(d.exp, EXCLUDED.exp)`),
  isDenied: statement(`SELECT 1 FROM ${n.denied} WHERE name = $1 AND sid = $2 AND exp > to_timestamp($3)`),
  // A mark that had already lapsed by the new mark's time is replaced, not merged:
  // its time must not come back to life. A live one only ever moves forward.
  setNotBefore: statement(`INSERT INTO ${n.notBefore} AS b (name, aud, sub, nbf, exp)
    VALUES ($1, $2, $3, to_timestamp($4), to_timestamp($5))
    ON CONFLICT (name, aud, sub) DO UPDATE SET
      nbf = CASE WHEN b.exp <= EXCLUDED.nbf THEN EXCLUDED.nbf ELSE GREATEST(b.nbf, EXCLUDED.nbf) END,
      exp = CASE WHEN b.exp <= EXCLUDED.nbf THEN EXCLUDED.exp ELSE GREATEST(b.exp, EXCLUDED.exp) END`),
  getNotBefore: statement(`SELECT ${epoch('max(b.nbf)')} AS nbf
    FROM ${n.notBefore} b JOIN unnest($2::text[], $3::text[]) AS r(aud, sub) ON b.aud = r.aud AND b.sub = r.sub
    WHERE b.name = $1 AND b.exp > to_timestamp($4)`),
  // Serialises the limited writes of one subject until their transaction ends.
  lockSubject: statement('SELECT pg_advisory_xact_lock($1::bigint)'),
  // $1 name, $2 now, $3 sids not counted, $4 audiences, $5 subjects: the live sessions the
  // refs list (the any-audience ref: under every audience, as listIndex reads it), oldest first.
  limitCount: statement(`SELECT s.sid
    FROM ${n.sessions} s
    WHERE s.name = $1 AND s.exp > to_timestamp($2) AND s.data IS NOT NULL AND s.sid <> ALL ($3::text[])
      AND EXISTS (
        SELECT 1 FROM ${n.meta} m JOIN unnest($4::text[], $5::text[]) AS r(aud, sub)
          ON m.sub = r.sub AND (m.aud = r.aud OR r.aud = '${ANY_AUDIENCE}')
        WHERE m.sid = s.sid)
    ORDER BY s.exp, s.sid`),
  // Index rows go with the records through ON DELETE CASCADE.
  evict: statement(`DELETE FROM ${n.sessions} WHERE name = $1 AND sid = ANY ($2::text[]) RETURNING data`),
})
