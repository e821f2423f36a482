import { Redis } from 'ioredis'
import pg from 'pg'
import { expect, it } from 'vitest'
import { ensureServices, SERVICES } from './services.js'

const redis = SERVICES.find((s) => s.name === 'Redis')!

it.skipIf(!(await redis.installed()))(
  'starts a throwaway Redis and points TESSERA_REDIS_URL at it when none answers on the default port',
  async () => {
    const env: NodeJS.ProcessEnv = {}
    const lines: string[] = []
    // As on a machine where nothing listens on 6379.
    const stops = await ensureServices(env, [{ ...redis, defaultAnswers: async () => false }], (l) => lines.push(l))
    try {
      expect(env.TESSERA_REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/)
      expect(env.TESSERA_REDIS_URL).not.toBe('redis://127.0.0.1:6379')
      const client = new Redis(env.TESSERA_REDIS_URL ?? '', { lazyConnect: true, maxRetriesPerRequest: 0 })
      await client.connect()
      expect(await client.ping()).toBe('PONG')
      client.disconnect()
      expect(lines).toEqual([expect.stringContaining('started a throwaway one at redis://127.0.0.1:')])
    } finally {
      await Promise.all(stops.map((stop) => stop()))
    }
    // A variable set by the caller, or a default that answers, starts nothing.
    expect(await ensureServices({ TESSERA_REDIS_URL: 'redis://10.0.0.1:6379' }, [redis])).toEqual([])
    expect(await ensureServices({}, [{ ...redis, defaultAnswers: async () => true }])).toEqual([])
  },
  30_000,
)

const postgres = SERVICES.find((s) => s.name === 'PostgreSQL')!

it.skipIf(!(await postgres.installed()))(
  'starts a throwaway PostgreSQL and points TESSERA_PG_URL at it when none answers on the default port',
  async () => {
    const env: NodeJS.ProcessEnv = {}
    const stops = await ensureServices(env, [{ ...postgres, defaultAnswers: async () => false }], () => undefined)
    try {
      expect(env.TESSERA_PG_URL).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/)
      const client = new pg.Client({ connectionString: env.TESSERA_PG_URL })
      await client.connect()
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
      await client.end()
    } finally {
      await Promise.all(stops.map((stop) => stop()))
    }
  },
  60_000,
)
