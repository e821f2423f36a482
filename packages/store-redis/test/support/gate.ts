import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { haveRedisServer } from './servers.js'

/** The Redis the contract suite runs on unless one has to be started. */
export const REDIS_URL = process.env.TESSERA_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A fresh key prefix, so runs sharing a Redis never see each other's keys. */
export const randomPrefix = (): string => `tessera-test-${randomBytes(6).toString('hex')}`

/** True when a PING to `url` answers within a second. */
export const reachable = async (url: string): Promise<boolean> => {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

/**
 * Runs `body` when `available`; otherwise a loud skip, or under `CI=true` a
 * failing test, because CI must never go green without having run these.
 */
export const describeIf = (label: string, available: boolean, why: string, body: () => void): void => {
  if (available) {
    describe(label, body)
  } else if (process.env.CI === 'true') {
    describe(label, () => it(`needs ${why}`, () => expect.fail(`${label}: ${why} is not available in CI`)))
  } else {
    console.warn(`\n!!!!!!!!\n!!! SKIPPED ${label}: ${why} is not available here\n!!!!!!!!\n`)
    describe.skip(label, body)
  }
}

/** True when redis-server can be started for the tests that need their own servers. */
export const canStartServers = haveRedisServer
