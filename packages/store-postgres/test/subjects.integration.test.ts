// Log out everywhere over sessions lua-resty-session wrote: rows made with the reference's own SQL
// (postgres.lua: one INSERT into sessions, one into sessions_meta per audience, values spliced in).
import { randomBytes } from 'node:crypto'
import { createSessionEngine, type SessionOptions } from '@tessera/core'
import { fakeClock, requestWith, runRight } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresStore, type PostgresStore } from '../src/index.js'
import { freshSchema, requireDatabase, skip } from './database.js'

const SECRET = randomBytes(32).toString('base64url')
const b64 = (s: string) => Buffer.from(s).toString('base64url')
const newKey = () => randomBytes(32).toString('base64url')
const now = Math.floor(Date.now() / 1000)

describe.skipIf(skip)('log out everywhere over the reference’s Postgres sessions', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>
  let store: PostgresStore
  beforeAll(async () => {
    requireDatabase()
    db = await freshSchema()
    store = createPostgresStore({ pool: db.pool, schema: db.schema })
  })
  afterAll(async () => {
    await store?.close()
    await db?.drop()
  })

  /** What the reference's storage:set sends for a fresh save with metadata (no old key). */
  const referenceSave = async (name: string, audiences: string[], subjects: string[], ttl = 3600) => {
    const key = newKey()
    const value = JSON.stringify([randomBytes(40).toString('base64url')])
    const t = `"${db.schema}".sessions`
    const meta = audiences.map((a, i) => `('${a}', '${subjects[i]}', '${key}')`).join(', ')
    await db.pool.query(
      `INSERT INTO ${t} (sid, name, data, exp) VALUES ('${key}', '${name}', '${value}', TO_TIMESTAMP(${now + ttl}) AT TIME ZONE 'UTC') ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, exp = EXCLUDED.exp;\n` +
        `INSERT INTO "${db.schema}".sessions_meta (aud, sub, sid) VALUES ${meta} ON CONFLICT DO NOTHING`,
    )
    return key
  }
  const exists = async (key: string) =>
    (await db.pool.query(`SELECT 1 FROM "${db.schema}".sessions WHERE sid = $1`, [key])).rowCount === 1
  const engine = (options: Partial<SessionOptions> = {}) =>
    createSessionEngine(
      { secret: SECRET, storeMetadata: true, audience: 'portal', ...options },
      { store, clock: fakeClock(now) },
    )

  it('lists and ends every session of a subject, under each audience the reference wrote', async () => {
    const subject = `ann-${newKey()}@example.com`
    const portal = await referenceSave('session', [b64('portal')], [b64(subject)])
    const admin = await referenceSave('session', [b64('admin-gui')], [b64(subject)], 600)
    const other = await referenceSave('session', [b64('portal')], [b64(`not-${subject}`)])
    const e = engine()
    expect((await runRight(e.listSessions({ subject }))).map((s) => s.key)).toEqual([admin, portal])
    expect(await runRight(e.invalidateSubject({ subject }))).toBe(2)
    expect([await exists(portal), await exists(admin), await exists(other)]).toEqual([false, false, true])
  })

  it('lists the reference’s sessions (times unknown) whatever the idle timeout, and a touch does not invent a time', async () => {
    const subject = `eve-${newKey()}`
    const theirs = await referenceSave('session', [b64('portal')], [b64(subject)])
    await store.touch('session', theirs, now + 10)
    expect((await store.read('session', theirs, now + 10))?.updatedAt).toBe(0)
    const later = createSessionEngine(
      { secret: SECRET, storeMetadata: true, audience: 'portal', idlingTimeout: 60 },
      { store, clock: fakeClock(now + 900) },
    )
    const listed = await runRight(later.listSessions({ subject }))
    expect(listed.map((x) => [x.key, x.lastActiveAt])).toEqual([[theirs, undefined]])
  })

  it('counts the reference’s sessions against maxSessionsPerSubject, evicting the oldest', async () => {
    const subject = `bob-${newKey()}`
    const older = await referenceSave('session', [b64('admin-gui')], [b64(subject)], 600)
    const newer = await referenceSave('session', [b64('portal')], [b64(subject)])
    const e = engine({ maxSessionsPerSubject: 2 })
    const s = await runRight(e.start(requestWith()))
    s.setSubject(subject)
    s.set('user', subject)
    await runRight(e.save(s))
    expect([await exists(older), await exists(newer)]).toEqual([false, true])
  })

  it('reads and ends a cookie with several audiences, indexed by its raw subject, remember record too', async () => {
    const subject = `carol-${newKey()}@example.com`
    const audiences = [b64('portal'), b64('admin-gui')]
    const session = await referenceSave('session', audiences, [subject, subject])
    const remember = await referenceSave('remember', audiences, [subject, subject], 86400)
    const e = engine({ remember: true })
    expect((await runRight(e.listSessions({ subject, audience: 'admin-gui' }))).map((x) => x.key)).toEqual([session])
    expect((await runRight(e.listSessions({ subject }))).map((x) => x.key)).toEqual([session])
    expect(await runRight(e.invalidateSubject({ subject, audience: 'portal' }))).toBe(1)
    expect([await exists(session), await exists(remember)]).toEqual([false, false])
  })

  it('gives the times of a row the reference wrote as unknown, not the database clock', async () => {
    const subject = `dave-${newKey()}`
    const key = await referenceSave('session', [b64('portal')], [b64(subject)], 60)
    const [summary] = await runRight(engine().listSessions({ subject }))
    expect(summary).toMatchObject({ key, createdAt: undefined, lastActiveAt: undefined, expiresAt: now + 60 })
  })
})
