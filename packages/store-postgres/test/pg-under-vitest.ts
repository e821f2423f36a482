/**
 * Workaround, test-only: the root vitest config passes its `ssr.resolve.conditions`
 * (which include `import`) to the workers as `node --conditions`, so pg's own
 * `require('pg-pool')` picks pg-pool's ESM wrapper and gets a module namespace
 * instead of the Pool class ("Class extends value [object Module]"). Registering
 * the CommonJS entry under the wrapper's path makes that require return the class.
 * Import this module first (as a side-effect import) in every test file; it does
 * nothing when the conditions are sane. Delete it once the root config stops
 * handing `import` to Node.
 */
import { createRequire, type Module } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const resolved = require.resolve('pg-pool')
if (resolved.endsWith('.mjs')) {
  const filename = join(dirname(resolved), '..', 'index.js')
  const exports: unknown = require(filename)
  require.cache[resolved] = { id: resolved, filename: resolved, loaded: true, exports } as Module
}
