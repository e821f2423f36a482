import { hash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { toRecord } from './meta.js'

const now = 1_800_000_000
const value = '["ct"]'
const companion = (v: string) => `3:${now - 100}:${now - 10}:${now + 600}:${hash('sha1', v)}:Hsuccessor:["i"]`
const noPttl = () => Promise.reject(new Error('PTTL must not be asked for'))

describe('toRecord', () => {
  it('takes everything from a companion written for this value', async () => {
    expect(await toRecord(value, companion(value), now, noPttl)).toEqual({
      value,
      version: 3,
      successor: 'Hsuccessor',
      createdAt: now - 100,
      updatedAt: now - 10,
      expiresAt: now + 600,
    })
  })

  it('drops a record the companion says has expired by now', async () => {
    expect(await toRecord(value, companion(value), now + 600, noPttl)).toBeNull()
  })

  it('counts an in-place rewrite by OpenResty as a new version with the expiry Redis has', async () => {
    const record = await toRecord('["ct","info"]', companion(value), now, async () => 299_001)
    expect(record).toMatchObject({ version: 4, expiresAt: now + 300 })
  })

  it('reads a record without companion as version 0 with unknown times', async () => {
    expect(await toRecord(value, null, now, async () => 3_600_000)).toEqual({
      value,
      version: 0,
      successor: null,
      createdAt: 0,
      updatedAt: 0,
      expiresAt: now + 3600,
    })
    expect(await toRecord(value, null, now, async () => -2)).toBeNull()
  })
})
