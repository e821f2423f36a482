/** vitest's global setup: the servers the integration tests need (see services.ts). */
import { ensureServices } from './services.js'

export default async function setup(): Promise<() => Promise<void>> {
  const stops = await ensureServices(process.env)
  return async () => {
    await Promise.all(stops.map((stop) => stop()))
  }
}
