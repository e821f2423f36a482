#!/usr/bin/env node
// Runs the built CLI; in a source checkout (nothing built yet) it falls back to
// the TypeScript source through tsx, a dev dependency of the workspace.
let cli
try {
  cli = await import('../dist/src/cli.js')
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error
  const { register } = await import('tsx/esm/api')
  register()
  cli = await import('../src/cli.ts')
}
try {
  process.exitCode = await cli.main(process.argv.slice(2))
} catch (error) {
  console.error(`tessera-pg: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
