import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

// Mutation testing (`npm run mutation`) runs core's own tests in a copy of the
// repository whose node_modules still links the workspace packages to the
// original tree. These aliases send every `@tessera/*` import (and subpath, such
// as `@tessera/core/internal`) to the copy, so the mutated core is the only core
// a test can reach.
const packages = new URL('./packages/', import.meta.url)
const alias = readdirSync(packages, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => {
    const manifest = JSON.parse(readFileSync(new URL(`${entry.name}/package.json`, packages), 'utf8')) as {
      name: string
      exports: Record<string, { '@tessera/source': string }>
    }
    return Object.entries(manifest.exports).map(([subpath, targets]) => ({
      find: new RegExp(`^${manifest.name}${subpath.slice(1)}$`),
      replacement: fileURLToPath(new URL(`${entry.name}/${targets['@tessera/source']}`, packages)),
    }))
  })

export default defineConfig({
  ...base,
  resolve: { ...base.resolve, alias },
  // Core's tests, and those of core on the memory store, need no Postgres or Redis:
  // the global setup that starts them is left out.
  test: {
    ...base.test,
    globalSetup: [],
    include: ['packages/core/src/**/*.test.ts', 'integration/core/**/*.test.ts'],
  },
})
