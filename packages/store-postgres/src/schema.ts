/**
 * The schema, as idempotent DDL. The first two tables are lua-resty-session's
 * Postgres layout (sid, name, data, exp / aud, sub, sid); everything Tessera
 * adds is a nullable or defaulted column or a table of its own, so the
 * reference's `INSERT INTO sessions (sid, name, data, exp)` keeps working on a
 * shared database, and this DDL upgrades a database the reference created.
 */
import type { Names } from './names.js'

/** The statements `migrate` runs, in order, inside one transaction. */
export const schemaStatements = (n: Names): readonly string[] => [
  ...(n.schema === undefined ? [] : [`CREATE SCHEMA IF NOT EXISTS ${n.schema}`]),
  `CREATE TABLE IF NOT EXISTS ${n.sessions} (
    sid  TEXT PRIMARY KEY,
    name TEXT,
    data TEXT,
    exp  TIMESTAMP WITH TIME ZONE
  )`,
  // Defaults or NULL, so rows written by the reference are valid records. Their creation and
  // update times are unknown (NULL), never the database's clock at insert: the reference's
  // creation time lives only in its cookie.
  `ALTER TABLE ${n.sessions}
    ADD COLUMN IF NOT EXISTS version   INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN IF NOT EXISTS successor TEXT,
    ADD COLUMN IF NOT EXISTS created   TIMESTAMP WITH TIME ZONE,
    ADD COLUMN IF NOT EXISTS updated   TIMESTAMP WITH TIME ZONE`,
  `ALTER TABLE ${n.sessions}
    ALTER COLUMN created DROP NOT NULL, ALTER COLUMN created DROP DEFAULT,
    ALTER COLUMN updated DROP NOT NULL, ALTER COLUMN updated DROP DEFAULT`,
  `CREATE INDEX IF NOT EXISTS ${n.local.sessionsExpIdx} ON ${n.sessions} (exp)`,
  // The primary key (aud, sub, sid) is also the (aud, sub) lookup index.
  `CREATE TABLE IF NOT EXISTS ${n.meta} (
    aud TEXT,
    sub TEXT,
    sid TEXT REFERENCES ${n.sessions} (sid) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (aud, sub, sid)
  )`,
  // Without it every cascaded delete from the sessions table scans the whole index table.
  `CREATE INDEX IF NOT EXISTS ${n.local.metaSidIdx} ON ${n.meta} (sid)`,
  // A subject's sessions under any audience (log out everywhere, per-subject limits).
  `CREATE INDEX IF NOT EXISTS ${n.local.metaSubIdx} ON ${n.meta} (sub)`,
  `CREATE TABLE IF NOT EXISTS ${n.denied} (
    name TEXT NOT NULL,
    sid  TEXT NOT NULL,
    exp  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (name, sid)
  )`,
  `CREATE INDEX IF NOT EXISTS ${n.local.deniedExpIdx} ON ${n.denied} (exp)`,
  `CREATE TABLE IF NOT EXISTS ${n.notBefore} (
    name TEXT NOT NULL,
    aud  TEXT NOT NULL,
    sub  TEXT NOT NULL,
    nbf  TIMESTAMP WITH TIME ZONE NOT NULL,
    exp  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (name, aud, sub)
  )`,
  `CREATE INDEX IF NOT EXISTS ${n.local.notBeforeExpIdx} ON ${n.notBefore} (exp)`,
  // The reference updates rows in place (upsert, stale cut) without knowing about
  // versions; bumping the version for such writers keeps our compare-and-set honest
  // on a shared database. Ours always set `updated`, which the reference never
  // touches: that tells the two apart (an overwrite of ours within the same second
  // gets an extra bump, which is harmless). `updated` stays as it was: the time of
  // the last write Tessera knows of, or unknown.
  `CREATE OR REPLACE FUNCTION ${n.versionFunction}() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    IF NEW.version = OLD.version AND NEW.updated IS NOT DISTINCT FROM OLD.updated THEN
      NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
  END
  $fn$`,
  `CREATE OR REPLACE TRIGGER ${n.local.versionTrigger} BEFORE UPDATE ON ${n.sessions}
    FOR EACH ROW EXECUTE FUNCTION ${n.versionFunction}()`,
]
