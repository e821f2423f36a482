#!/usr/bin/env node
// In a source checkout (src/ is present; the published package ships only dist/)
// the CLI runs from the TypeScript source through tsx, so it is never stale.
import { existsSync } from 'node:fs'

const source = new URL('../src/cli.ts', import.meta.url)
let cli
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register()
  cli = await import(source.href)
} else {
  cli = await import('../dist/cli.js')
}
try {
  process.exitCode = await cli.main(process.argv.slice(2))
} catch (error) {
  console.error(`tessera-pg: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
