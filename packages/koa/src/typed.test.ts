import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const project = fileURLToPath(new URL('../typecheck', import.meta.url))

it('types the session of an app that registered its data type, and rejects wrong keys and values', async () => {
  const run = await promisify(execFile)(process.execPath, [tsc, '-p', project, '--pretty', 'false']).then(
    () => '',
    (e: { stdout: string }) => e.stdout,
  )
  expect(run).toBe('')
}, 60_000)
