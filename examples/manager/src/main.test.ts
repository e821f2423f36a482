import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const main = fileURLToPath(new URL('./main.ts', import.meta.url))

it('says the port is taken and exits 1, instead of crashing', async () => {
  const taken = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => taken.once('listening', resolve))
  const port = (taken.address() as { port: number }).port
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--conditions=@tessera/source', '--import', 'tsx', main],
        { env: { ...process.env, PORT: String(port), ADMIN_PASSWORD: 'x'.repeat(16) }, timeout: 60_000 },
        (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
      )
    })
    expect(code).toBe(1)
    expect(stderr).toContain(`Cannot start: port ${port} is already in use`)
    expect(stderr).toContain('set PORT to a free one')
    expect(stderr).not.toMatch(/TypeError|at .*\.ts:\d+/)
  } finally {
    taken.close()
  }
}, 90_000)
