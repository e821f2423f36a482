/**
 * Which index references a query by subject reads. Tessera writes a subject
 * encoded (base64url, or hashed with `hashSubject`); lua-resty-session writes
 * it encoded for a cookie with one audience but raw for a cookie with several
 * (its own quirk, whatever `hash_subject` says). Both are read and ended;
 * only the encoded form is ever written.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { SessionError } from '../errors.js'
import type { LiftedRecords } from '../ports/lift.js'
import type { IndexEntry } from '../ports/records.js'
import { ANY_AUDIENCE, type SubjectRef } from '../ports/subject-ref.js'
import { type EngineContext, encodeSubject } from './context.js'

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Whether a raw subject could also be the encoded form of some subject, in
 * which case reading it raw could reach another user's sessions: canonical
 * base64url of valid UTF-8 (or, with `hashSubject`, of 16 bytes).
 */
const couldBeEncoded = (ctx: EngineContext, raw: string): boolean => {
  if (!/^[A-Za-z0-9_-]*$/.test(raw)) return false
  const bytes = Buffer.from(raw, 'base64url')
  if (bytes.toString('base64url') !== raw) return false
  if (ctx.o.hashSubject) return bytes.length === 16
  try {
    UTF8.decode(bytes)
    return true
  } catch {
    return false
  }
}

/** The (audience, subject) references a query reads: the encoded subject, and the raw one where it is unambiguous. */
export const queryRefs = (ctx: EngineContext, subject: string, audience?: string): SubjectRef[] => {
  const aud = audience === undefined ? ANY_AUDIENCE : Buffer.from(audience).toString('base64url')
  const encoded = encodeSubject(ctx, subject)
  const refs: SubjectRef[] = [{ audience: aud, subject: encoded }]
  if (subject !== encoded && !couldBeEncoded(ctx, subject)) refs.push({ audience: aud, subject, verbatim: true })
  return refs
}

/** Live entries of several index references, each session once, soonest expiry first. */
export const listAll = async (
  store: LiftedRecords,
  name: string,
  refs: readonly SubjectRef[],
  now: number,
): Promise<E.Either<SessionError, IndexEntry[]>> => {
  const seen = new Map<string, IndexEntry>()
  for (const ref of refs) {
    const listed = await store.listIndex(name, ref, now)()
    if (E.isLeft(listed)) return listed
    for (const e of listed.right) if (!seen.has(e.key)) seen.set(e.key, e)
  }
  return E.right([...seen.values()].sort((a, b) => a.expiresAt - b.expiresAt))
}

/** Ends every live session of several index references but `keep`; how many were live. */
export const removeAll = async (
  store: LiftedRecords,
  name: string,
  refs: readonly SubjectRef[],
  keep: readonly string[],
  now: number,
): Promise<E.Either<SessionError, number>> => {
  let removed = 0
  for (const ref of refs) {
    const done = await store.removeIndexed(name, ref, keep, now)()
    if (E.isLeft(done)) return done
    removed += done.right
  }
  return E.right(removed)
}
