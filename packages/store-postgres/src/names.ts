/**
 * Table and schema names. Every identifier is quoted here, once, so a schema or
 * table name with capitals, spaces or quotes can never change a statement.
 */

/** Where the store's tables live; every name is optional and defaults to the reference's. */
export interface TableOptions {
  /** Schema of every table; unset means the connection's `search_path`. */
  readonly schema?: string
  /** Sessions table (the reference's `sessions`). */
  readonly table?: string
  /** Subject index table (the reference's `<table>_meta`). */
  readonly metaTable?: string
  /** Per-SID denylist (cookie-mode logout marks); defaults to `<table>_denied`. */
  readonly denyTable?: string
  /** Per-(audience, subject) not-before marks; defaults to `<table>_not_before`. */
  readonly notBeforeTable?: string
}

/** Resolved, quoted, schema-qualified names, ready to splice into SQL. */
export interface Names {
  readonly schema: string | undefined
  readonly sessions: string
  readonly meta: string
  readonly denied: string
  readonly notBefore: string
  /** Quoted bare names of the derived objects (indexes, trigger), which live in their table's schema. */
  readonly local: {
    readonly sessionsExpIdx: string
    readonly metaSidIdx: string
    readonly metaSubIdx: string
    readonly deniedExpIdx: string
    readonly notBeforeExpIdx: string
    readonly versionTrigger: string
  }
  /** Qualified name of the trigger function. */
  readonly versionFunction: string
}

// Postgres silently truncates longer identifiers, which could make two derived
// names collide; refusing them up front is clearer.
const MAX_IDENTIFIER_BYTES = 63

/** Double-quotes an identifier (doubling embedded quotes); throws on names Postgres cannot hold. */
const quoteIdent = (name: string): string => {
  if (name.length === 0) throw new TypeError('@tessera/store-postgres: an identifier cannot be empty')
  if (name.includes('\u0000')) throw new TypeError('@tessera/store-postgres: an identifier cannot contain NUL')
  if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) {
    throw new TypeError(`@tessera/store-postgres: identifier "${name}" is longer than ${MAX_IDENTIFIER_BYTES} bytes`)
  }
  return `"${name.replaceAll('"', '""')}"`
}

/** Resolves the table options to quoted names. Throws a TypeError on an unusable name. */
export const resolveNames = (options: TableOptions): Names => {
  const table = options.table ?? 'sessions'
  const meta = options.metaTable ?? `${table}_meta`
  const denied = options.denyTable ?? `${table}_denied`
  const notBefore = options.notBeforeTable ?? `${table}_not_before`
  const schema = options.schema === undefined ? undefined : quoteIdent(options.schema)
  const qualify = (name: string): string => (schema === undefined ? quoteIdent(name) : `${schema}.${quoteIdent(name)}`)
  return {
    schema,
    sessions: qualify(table),
    meta: qualify(meta),
    denied: qualify(denied),
    notBefore: qualify(notBefore),
    local: {
      // `<table>_exp_idx` is what the reference's unnamed `CREATE INDEX ON sessions (exp)`
      // gets called, so migrating a reference database does not add a twin index.
      sessionsExpIdx: quoteIdent(`${table}_exp_idx`),
      metaSidIdx: quoteIdent(`${meta}_sid_idx`),
      metaSubIdx: quoteIdent(`${meta}_sub_idx`),
      deniedExpIdx: quoteIdent(`${denied}_exp_idx`),
      notBeforeExpIdx: quoteIdent(`${notBefore}_exp_idx`),
      versionTrigger: quoteIdent('tessera_bump_version'),
    },
    versionFunction: qualify(`${table}_tessera_bump_version`),
  }
}
