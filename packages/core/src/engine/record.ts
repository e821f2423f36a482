/**
 * Server storage's records as opening reads them: the reference's record value,
 * and the read that follows rotations to the live record.
 */

import * as E from 'fp-ts/lib/Either.js'
import { invalidCookie, type SessionError } from '../errors.js'
import type { SessionRecord } from '../ports/records.js'
import * as b64 from '../wire/base64url.js'
import type { Binding } from '../wire/codec.js'
import type { Header } from '../wire/header.js'
import { type EngineContext, storageKey } from './context.js'
import { type Authenticated, authenticate } from './open-header.js'
import type { CookieMeta } from './session.js'

// A stale cookie is followed through at most this many rotations to the live record: a chain only
// grows this long when many saves of one session land within staleTtl (each adds one link).
const MAX_SUCCESSORS = 64

export type Info = Map<string, Record<string, unknown>>

/** Parses the reference's record value `[ct]` or `[ct, b64url(info json)]`. */
export const parseRecordValue = (value: string): E.Either<SessionError, { ct: string; info: Info | undefined }> => {
  try {
    const parsed: unknown = JSON.parse(value)
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string')
      return E.left(invalidCookie('record', 'malformed record'))
    if (typeof parsed[1] !== 'string') return E.right({ ct: parsed[0], info: undefined })
    const raw = b64.decode(parsed[1])
    const info: unknown = raw === undefined ? undefined : JSON.parse(raw.toString('utf8'))
    if (typeof info !== 'object' || info === null || Array.isArray(info)) {
      return E.left(invalidCookie('record', 'malformed info'))
    }
    const map: Info = new Map()
    for (const [aud, v] of Object.entries(info)) {
      if (typeof v === 'object' && v !== null) map.set(aud, v as Record<string, unknown>)
    }
    return E.right({ ct: parsed[0], info: map })
  } catch {
    return E.left(invalidCookie('record', 'malformed record'))
  }
}

/** An authenticated cookie and its still-encrypted payload. */
export interface Payload {
  readonly header: Header
  readonly headerText: string
  readonly km: CookieMeta['km']
  readonly ct: string
  readonly firstChunk: string
  readonly key: string | undefined
  readonly record: SessionRecord | undefined
  readonly info: Info | undefined
  readonly followed: boolean
}

export const payloadOf = (
  a: Authenticated,
  ct: string,
  firstChunk: string,
  key: string | undefined,
  record: SessionRecord | undefined,
  info: Info | undefined,
  followed: boolean,
): Payload => ({ header: a.header, headerText: a.headerText, km: a.km, ct, firstChunk, key, record, info, followed })

/** Reads the record of a server-side session, following rotations to the live one. */
export const readRecord = async (
  ctx: EngineContext,
  name: string,
  start: Authenticated,
  binding: Binding,
  now: number,
): Promise<E.Either<SessionError, Payload>> => {
  const store = ctx.records
  if (store === undefined) return E.left(invalidCookie('record', 'no store configured'))
  let cur = start
  for (let hops = 0; hops <= MAX_SUCCESSORS; hops++) {
    const key = storageKey(ctx, cur.header.sid)
    const read = await store.read(name, key, now)()
    if (E.isLeft(read)) return read
    const record = read.right
    if (record === null) return E.left(invalidCookie('record', 'no such session'))
    if (record.successor === null) {
      const value = parseRecordValue(record.value)
      if (E.isLeft(value)) return value
      const { ct, info } = value.right
      return E.right(payloadOf(cur, ct, '', key, record, info, hops > 0))
    }
    const next = authenticate(ctx, record.successor, binding)
    if (E.isLeft(next)) return next
    cur = { header: next.right.header, km: next.right.km, headerText: record.successor }
  }
  return E.left(invalidCookie('record', 'too many rotations'))
}
