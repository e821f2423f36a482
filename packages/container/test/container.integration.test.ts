import 'reflect-metadata'
import { randomBytes } from 'node:crypto'
import type { SessionEngine } from '@tessera/core'
import { migrate } from '@tessera/store-postgres'
import { fakeClock, requestWith, runRight } from '@tessera/testing'
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
  registerTessera(container, {
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
    const made = storeFromUrl('memory://')
    const container = registerTessera(root.createChildContainer(), {
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

  it.each([
    ['not a url', /not a URL/],
    ['ftp://example', /unknown scheme/],
    ['redis-sentinel://127.0.0.1:26379', /names no master/],
    ['memory://?maxEntries=-1', /maxEntries/],
  ])('%s is a ConfigError', (url, message) => {
    expect(() => storeFromUrl(url)).toThrow(message)
  })
})
