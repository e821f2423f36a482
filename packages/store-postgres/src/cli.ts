/**
 * `tessera-pg migrate --url <postgres url> [--schema s] [--table t] [--meta-table m]`
 * The URL may also come from TESSERA_PG_URL or DATABASE_URL.
 */
import { parseArgs } from 'node:util'
import { migrate } from './migrate.js'

const USAGE = `usage: tessera-pg migrate --url <postgres url> [--schema <name>] [--table <name>] [--meta-table <name>]
       (the URL may also come from TESSERA_PG_URL or DATABASE_URL)`

/** Runs the CLI with the given arguments; resolves to the process exit code. */
export const main = async (argv: readonly string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      schema: { type: 'string' },
      table: { type: 'string' },
      'meta-table': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help === true) {
    console.log(USAGE)
    return 0
  }
  const url = values.url ?? process.env.TESSERA_PG_URL ?? process.env.DATABASE_URL
  if (positionals[0] !== 'migrate' || positionals.length !== 1 || url === undefined) {
    console.error(USAGE)
    return 2
  }
  const result = await migrate({
    connectionString: url,
    ...(values.schema === undefined ? {} : { schema: values.schema }),
    ...(values.table === undefined ? {} : { table: values.table }),
    ...(values['meta-table'] === undefined ? {} : { metaTable: values['meta-table'] }),
  })
  const where = values.schema === undefined ? 'the search path' : `schema ${values.schema}`
  const said = {
    created: `created the session tables in ${where}`,
    upgraded: `upgraded the session tables in ${where}`,
    unchanged: `${where} is up to date`,
  }
  console.log(`tessera-pg: ${said[result]}`)
  return 0
}
