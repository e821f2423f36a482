import { hash } from 'node:crypto'
import type { SessionRecord } from '@tessera/core'

/** The companion string, as `lua.ts` writes it: `v:c:u:e:h:s:i`. */
interface Meta {
  readonly version: number
  readonly createdAt: number
  readonly updatedAt: number
  readonly expiresAt: number | null
  readonly sha1: string
  readonly successor: string | null
}

const FORMAT = /^(\d+):(\d+):(\d+):(\d*):([0-9a-f]*):([^:]*):/

const parse = (raw: string | null): Meta | null => {
  const m = raw === null ? null : FORMAT.exec(raw)
  if (m === null) return null
  return {
    version: Number(m[1]),
    createdAt: Number(m[2]),
    updatedAt: Number(m[3]),
    expiresAt: m[4] === '' ? null : Number(m[4]),
    sha1: m[5]!,
    successor: m[6] === '' ? null : m[6]!,
  }
}

/**
 * What a read needs beyond MGET: the record's remaining life, in milliseconds
 * (-1 without expiry), asked only when the companion cannot vouch for it.
 */
export type Pttl = () => Promise<number>

/**
 * A record from its value and companion, the way the scripts see it (`state`
 * in lua.ts): a companion written for another value means OpenResty rewrote
 * the record, so the version moves on and the expiry is Redis's; no companion
 * means OpenResty wrote it: version 0, times unknown (0).
 */
export const toRecord = async (value: string, raw: string | null, now: number, pttl: Pttl) => {
  const meta = parse(raw)
  const current = meta !== null && meta.sha1 === hash('sha1', value)
  let expiresAt = current ? meta.expiresAt : null
  if (expiresAt === null) {
    const ms = await pttl()
    if (ms === -2) return null
    expiresAt = ms >= 0 ? now + Math.ceil(ms / 1000) : Number.MAX_SAFE_INTEGER
  }
  if (expiresAt <= now) return null
  const record: SessionRecord = {
    value,
    version: meta === null ? 0 : current ? meta.version : meta.version + 1,
    successor: meta?.successor ?? null,
    createdAt: meta?.createdAt ?? 0,
    updatedAt: meta?.updatedAt ?? 0,
    expiresAt,
  }
  return record
}
