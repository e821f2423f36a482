import 'reflect-metadata'
import { randomBytes } from 'node:crypto'
import { ConfigError, type SessionEngine } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { migrate } from '@tessera/store-postgres'
import { fakeClock, requestWith, runLeft, runRight } from '@tessera/testing'
import pg from 'pg'
import { container as root } from 'tsyringe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type TestCluster } from '../../store-redis/test/support/cluster.js'
import { startSentinel, type TestSentinel } from '../../store-redis/test/support/sentinel.js'
import { closeTessera, registerTessera, storeFromUrl, TesseraTokens } from '../src/index.js'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
const PG_URL = process.env.TESSERA_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.TESSERA_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Registers Tessera on a child container for `store`, logs alice in, and opens her session again. */
const roundTrip = async (store: string) => {
  const container = root.createChildContainer()
  await registerTessera(container, {
    session: { secret: SECRET, storeMetadata: true },
    store,
    clock: fakeClock(1_700_000_000),
  })
  const engine = container.resolve<SessionEngine>(TesseraTokens.engine)
  expect(container.resolve<SessionEngine>(TesseraTokens.engine)).toBe(engine)
  try {
    const s = await runRight(engine.start(requestWith()))
    s.set('user', 'alice')
    s.setSubject('alice')
    const { setCookie } = await runRight(engine.save(s))
    expect(setCookie[0]).toMatch(/^session=AQEA/)
    const again = await runRight(engine.open(requestWith(setCookie)))
    expect(again.get('user')).toBe('alice')
    expect(await runRight(engine.listSessions({ subject: 'alice' }))).toHaveLength(1)
    // Ended, so a shared Redis keeps nothing of the run (its record, companion and index entries).
    await runRight(engine.destroy(again))
    expect(await runRight(engine.listSessions({ subject: 'alice' }))).toHaveLength(0)
  } finally {
    await closeTessera(container)
  }
}

const unique = () => `tessera-container-${randomBytes(5).toString('hex')}`

describe('registerTessera: the store comes from a URL', () => {
  it('memory://', () => roundTrip('memory://?maxEntries=1000'))

  it('postgres://…?schema=', async () => {
    const schema = unique().replace(/-/g, '_')
    const pool = new pg.Pool({ connectionString: PG_URL })
    try {
      await migrate({ pool, schema })
      await roundTrip(`${PG_URL}?schema=${schema}`)
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await pool.end()
    }
  })

  it('redis://…?prefix=', () => roundTrip(`${REDIS_URL}?prefix=${unique()}`))

  describe('redis-cluster:// and redis-sentinel://', () => {
    let cluster: TestCluster | undefined
    let sentinel: TestSentinel | undefined
    beforeAll(async () => {
      ;[cluster, sentinel] = await Promise.all([startCluster(), startSentinel()])
    }, 60_000)
    afterAll(async () => {
      await Promise.all([cluster?.stop(), sentinel?.stop()])
    })

    it('redis-cluster://host:port,host:port', () =>
      roundTrip(`redis-cluster://${cluster?.nodes.map((n) => `${n.host}:${n.port}`).join(',')}?prefix=${unique()}`))

    it('redis-sentinel://host:port,…/<master>', () =>
      roundTrip(`redis-sentinel://${sentinel?.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}/tessera`))
  })

  it('a store passed in is used as it is', async () => {
    const made = await storeFromUrl('memory://')
    const container = await registerTessera(root.createChildContainer(), {
      session: { secret: SECRET, storeMetadata: true },
      store: made.store,
      clock: fakeClock(1_700_000_000),
    })
    expect(container.resolve(TesseraTokens.store)).toBe(made.store)
    const engine = container.resolve<SessionEngine>(TesseraTokens.engine)
    const s = await runRight(engine.start(requestWith()))
    s.set('user', 'alice')
    await runRight(engine.save(s))
    // The record landed in the store we passed, not in one the container made.
    expect(await made.store.read('session', s.id as string, 1_700_000_000)).not.toBeNull()
    await closeTessera(container)
    await made.close()
  })

  it('with storage "cookie", a store of revocation marks alone; server storage refuses one when the engine resolves', async () => {
    const made = await storeFromUrl('memory://')
    const { deny, isDenied, setNotBefore, getNotBefore } = made.store
    const marks = { deny, isDenied, setNotBefore, getNotBefore }
    const clock = fakeClock(1_700_000_000)
    const container = await registerTessera(root.createChildContainer(), {
      session: { secret: SECRET, storage: 'cookie' },
      store: marks,
      clock,
    })
    const engine = container.resolve<SessionEngine>(TesseraTokens.engine)
    const s = await runRight(engine.start(requestWith()))
    s.setSubject('alice')
    const { setCookie } = await runRight(engine.save(s))
    // A session created in the second of the mark survives it.
    clock.advance(1)
    await runRight(engine.invalidateSubject({ subject: 'alice' }))
    expect(await runLeft(engine.open(requestWith(setCookie)))).toEqual({ _tag: 'Revoked', reason: 'invalidated' })
    const server = await registerTessera(root.createChildContainer(), { session: { secret: SECRET }, store: marks })
    expect(() => server.resolve(TesseraTokens.engine)).toThrow(ConfigError)
    await made.close()
  })

  it.each([
    ['not a url', /not a URL/],
    ['ftp://example', /unknown scheme/],
    ['redis-sentinel://127.0.0.1:26379', /names no master/],
    ['memory://?maxEntries=-1', /maxEntries/],
  ])('%s is a ConfigError', async (url, message) => {
    await expect(storeFromUrl(url)).rejects.toThrow(message)
  })
})

/** A loader that records what it is asked for and fails for `missing` as Node does for a package not installed. */
const recordingLoader = (missing: readonly string[] = []) => {
  const asked: string[] = []
  const load = async (name: string): Promise<unknown> => {
    asked.push(name)
    if (missing.includes(name))
      throw Object.assign(new Error(`Cannot find package '${name}' imported from /app/node_modules/x.js`), {
        code: 'ERR_MODULE_NOT_FOUND',
      })
    return import(name)
  }
  return { asked, load }
}

describe('the PostgreSQL and Redis stores are optional, loaded for their schemes only', () => {
  it('memory:// and an app scheme import neither store package nor driver', async () => {
    const { asked, load } = recordingLoader()
    const memory = await storeFromUrl('memory://', { load })
    await memory.close()
    const own = await storeFromUrl('mystore://x', { load, schemes: { 'mystore:': () => memory } })
    expect(own).toBe(memory)
    expect(asked).toEqual([])
  })

  it('a postgres:// URL imports pg, then @tessera/store-postgres', async () => {
    const { asked, load } = recordingLoader()
    const made = await storeFromUrl(`${PG_URL}?schema=${unique().replace(/-/g, '_')}`, { load })
    await made.close()
    expect(asked).toEqual(['pg', '@tessera/store-postgres'])
  })

  it.each([
    ['postgres://db/app', 'pg', '@tessera/store-postgres', 'npm install @tessera/store-postgres pg'],
    [
      'postgres://db/app',
      '@tessera/store-postgres',
      '@tessera/store-postgres',
      'npm install @tessera/store-postgres pg',
    ],
    ['redis://cache:6379', 'ioredis', '@tessera/store-redis', 'npm install @tessera/store-redis ioredis'],
    ['redis-cluster://a:7000,b:7001', 'ioredis', '@tessera/store-redis', 'npm install @tessera/store-redis ioredis'],
    [
      'redis-sentinel://a:26379/main',
      '@tessera/store-redis',
      '@tessera/store-redis',
      'npm install @tessera/store-redis',
    ],
  ])('%s without %s is a ConfigError that says what to install', async (url, missing, store, install) => {
    const { load } = recordingLoader([missing])
    const error = await storeFromUrl(url, { load }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).problems).toHaveLength(1)
    const [problem] = (error as ConfigError).problems
    expect(problem).toContain(`needs the packages ${store}`)
    expect(problem).toContain(`${missing} is not installed`)
    expect(problem).toContain(install)
    // Through the container, the same error before anything is registered.
    const container = root.createChildContainer()
    await expect(registerTessera(container, { session: { secret: SECRET }, store: url, load })).rejects.toThrow(install)
    expect(container.isRegistered(TesseraTokens.engine)).toBe(false)
  })

  it('a failure other than a missing package is not disguised as one', async () => {
    const broken = async () => {
      throw new SyntaxError('Unexpected token')
    }
    await expect(storeFromUrl('redis://cache:6379', { load: broken })).rejects.toThrow(SyntaxError)
  })
})

describe('an app adds its own store by URL scheme', () => {
  it('storeFromUrl hands the parsed URL to the factory of its scheme, with or without the colon', async () => {
    const urls: string[] = []
    let closed = 0
    const factory = (url: URL) => {
      urls.push(`${url.protocol}|${url.host}|${url.searchParams.get('bucket')}`)
      const store = createMemoryStore()
      return {
        store,
        close: async () => {
          closed++
          store.close()
        },
      }
    }
    const a = await storeFromUrl('mystore://node-1:9000/?bucket=sessions', { schemes: { 'mystore:': factory } })
    const b = await storeFromUrl('MyStore://node-2', { schemes: { mystore: async (url) => factory(url) } })
    await a.close()
    await b.close()
    expect(urls).toEqual(['mystore:|node-1:9000|sessions', 'mystore:|node-2|null'])
    expect(closed).toBe(2)
  })

  it('a scheme of the app takes precedence over a built-in one', async () => {
    const mine = await storeFromUrl('memory://')
    const made = await storeFromUrl('redis://cache:6379', {
      schemes: { 'redis:': () => mine },
      load: () => Promise.reject(new Error('no driver should load')),
    })
    expect(made).toBe(mine)
    await mine.close()
  })

  it('an unknown scheme lists the app schemes beside the built-in ones', async () => {
    const mine = async () => storeFromUrl('memory://')
    await expect(storeFromUrl('other://x', { schemes: { 'mystore:': mine } })).rejects.toThrow(
      'unknown scheme other: (memory:, postgres:, redis:, redis-sentinel:, redis-cluster:, mystore:)',
    )
  })

  it('registerTessera takes the schemes: the engine runs on that store, and closeTessera closes it', async () => {
    const store = createMemoryStore()
    let closed = false
    const container = await registerTessera(root.createChildContainer(), {
      session: { secret: SECRET, storage: 'server' },
      store: 'mystore://primary',
      schemes: {
        'mystore:': () => ({
          store,
          close: async () => {
            closed = true
            store.close()
          },
        }),
      },
      clock: fakeClock(1_700_000_000),
    })
    expect(container.resolve(TesseraTokens.store)).toBe(store)
    const engine = container.resolve<SessionEngine>(TesseraTokens.engine)
    const s = await runRight(engine.start(requestWith()))
    s.set('user', 'alice')
    await runRight(engine.save(s))
    expect(await store.read('session', s.id as string, 1_700_000_000)).not.toBeNull()
    await closeTessera(container)
    expect(closed).toBe(true)
  })
})
