import { defineConfig } from 'vitest/config'

// Tests run from source: the `@tessera/source` export condition points every
// workspace package at its `src/index.ts`, so no build step comes first.
export default defineConfig({
  resolve: { conditions: ['@tessera/source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@tessera/source', 'module', 'node', 'import', 'default'] } },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
