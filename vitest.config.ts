import { defaultClientConditions, defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

// Tests run from source: the `@tessera/source` export condition points every
// workspace package at its `src/index.ts`, so no build step comes first. Only
// that condition is added to Vite's defaults: vitest hands the server list to
// its workers as `node --conditions`, where `import` would make CommonJS
// packages (pg's own `require('pg-pool')`) load ESM wrappers.
export default defineConfig({
  resolve: { conditions: ['@tessera/source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['@tessera/source', ...defaultServerConditions] } },
  test: {
    // With no Postgres / Redis on the default ports but the binaries installed, starts throwaway ones.
    globalSetup: ['./test-support/global-setup.ts'],
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.stryker-tmp/**'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
