/**
 * Upstream mode: a gateway in front (Kong's Session plugin, or OpenResty on
 * lua-resty-session) owns the cookie. This side opens and verifies it with
 * its timeouts but never issues, touches, rotates or clears it, so the two
 * never answer one request with two cookies, nor fork one session into two
 * records. The one write left is the reference's own `info:save()`: in
 * server storage the unencrypted info beside the record changes in place,
 * under the same session id (the store's `update`).
 */
import * as E from 'fp-ts/lib/Either.js'
import { conflict, revoked, type SessionError, type UpstreamReadOnly, upstreamReadOnly } from '../errors.js'
import type { SessionRecord } from '../ports/records.js'
import { type EngineContext, storageKey } from './context.js'
import { parseRecordValue, readRecord } from './record.js'
import type { CookieMeta, SessionImpl } from './session.js'
import { recordValue } from './write-record.js'

const MAX_ATTEMPTS = 8

/** Why a save cannot happen here, or undefined when it can (server storage, only the info changed). */
export const saveRefusal = (ctx: EngineContext, s: SessionImpl): UpstreamReadOnly | undefined => {
  if (!ctx.server)
    return upstreamReadOnly(
      'cookie-storage',
      'in cookie storage the data is in the cookie, which the gateway owns: a save would re-issue it',
    )
  if (s.state !== 'open' || s.meta?.key === undefined)
    return upstreamReadOnly('new-session', 'there is no gateway session to save into: sessions start at the gateway')
  if (s.sealedChanged || s.renew)
    return upstreamReadOnly(
      'data',
      'the cookie carries the tag of the encrypted data: changing data, subject, audience or remember needs a new cookie, which only the gateway issues (setInfo changes the info in place)',
    )
  return undefined
}

/** Why ending a session cannot happen here: in cookie storage the gateway's cookie alone holds it. */
export const endRefusal = (ctx: EngineContext): UpstreamReadOnly | undefined =>
  ctx.server
    ? undefined
    : upstreamReadOnly(
        'cookie-storage',
        'in cookie storage the session is the cookie, which the gateway owns and would keep honouring',
      )

/** The live record's value with this session's audience's info put in place of what it had. */
const withMyInfo = (s: SessionImpl, value: string): E.Either<SessionError, string> => {
  const parsed = parseRecordValue(value)
  if (E.isLeft(parsed)) return parsed
  const info = parsed.right.info ?? new Map()
  const mine = s.info?.get(s.audience)
  if (mine === undefined) info.delete(s.audience)
  else info.set(s.audience, mine)
  return recordValue(parsed.right.ct, info.size > 0 ? info : undefined, false)
}

/**
 * Writes this session's info into the record in place (same id, same
 * ciphertext). A concurrent change (the gateway's save, another request's
 * info) makes it re-read the live record, following a rotation, and try again.
 */
export const saveInfoInPlace = async (
  ctx: EngineContext,
  s: SessionImpl,
  now: number,
): Promise<E.Either<SessionError, void>> => {
  const store = ctx.records
  let meta = s.meta as CookieMeta
  if (store === undefined || meta.key === undefined || meta.record === undefined) return E.left(revoked('logout'))
  if (!s.infoChanged) return E.right(undefined)
  const name = ctx.o.cookie.name
  let key = meta.key
  let record: SessionRecord = meta.record
  for (let attempt = 1; ; attempt++) {
    const value = withMyInfo(s, record.value)
    if (E.isLeft(value)) return value
    const result = await store.update({ name, key, value: value.right, version: record.version, now })()
    if (E.isLeft(result)) return result
    if (result.right === 'ok') {
      s.meta = { ...meta, key, record: { ...record, value: value.right, version: record.version + 1, updatedAt: now } }
      return E.right(undefined)
    }
    if (attempt >= MAX_ATTEMPTS) return E.left(conflict(attempt))
    const live = await readRecord(ctx, name, meta, s.binding, now)
    if (E.isLeft(live)) return live.left._tag === 'InvalidCookie' ? E.left(revoked('logout')) : live
    const p = live.right
    key = p.key ?? storageKey(ctx, p.header.sid)
    if (p.record === undefined) return E.left(revoked('logout'))
    record = p.record
    meta = { header: p.header, headerText: p.headerText, km: p.km, firstChunk: '', key, record }
  }
}
