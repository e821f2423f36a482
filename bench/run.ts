// Runs every `*.bench.ts` in this folder, each in its own process so that one
// benchmark's heap and JIT state never colour another's. The benchmarks measure
// the built packages (dist/, what an app runs): `npm run bench` builds first. `npm run bench -- codec`
// runs only the files whose name contains "codec".
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const filters = process.argv.slice(2)
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()

let failed = 0
for (const file of files) {
  console.log(`\n=== ${file} ===`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', file], {
    cwd: here,
    stdio: 'inherit',
  })
  if (r.status !== 0) {
    failed++
    console.error(`${file} exited with ${r.status ?? r.signal}`)
  }
}
process.exit(failed === 0 ? 0 : 1)
