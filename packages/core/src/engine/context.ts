/**
 * What every engine step shares: decoded options, key material, the ports,
 * and the encodings that turn session ids and subjects into storage keys.
 */

import { createHash } from 'node:crypto'
import { ConfigError } from '../errors.js'
import type { ResolvedOptions } from '../options/schema.js'
import { type LiftedMarks, type LiftedRecords, liftMarks, liftRecords } from '../ports/lift.js'
import type { Clock, RandomSource, SessionStore } from '../ports/ports.js'
import { RECORD_FUNCTIONS } from '../ports/records.js'
import { MARK_FUNCTIONS, type RevocationStore } from '../ports/revocation.js'
import { ANY_AUDIENCE, type SubjectRef } from '../ports/subject-ref.js'
import * as b64 from '../wire/base64url.js'
import type { Keyring } from '../wire/codec.js'
import type { Entry } from '../wire/entries.js'
import { ikmFromSecret, keyMaterial } from '../wire/keys.js'
import type { EventListener, SessionEvent } from './events.js'
import type { RecentCookies } from './recent.js'
import type { SlowKeys } from './slow-keys.js'

export interface EngineContext {
  readonly o: ResolvedOptions
  readonly keyring: Keyring
  readonly clock: Clock
  readonly random: RandomSource
  /** Server storage: the store holds the payload. */
  readonly server: boolean
  /** Server storage: the session records and the subject index (undefined in cookie storage). */
  readonly records: LiftedRecords | undefined
  /** Cookie storage with a store: the revocation marks (undefined in server storage, or with no store). */
  readonly marks: LiftedMarks | undefined
  readonly emit: (event: SessionEvent) => void
  /** Whether anyone listens: hot paths skip building events nobody reads. */
  readonly listening: boolean
  /** Session cookies recently issued or opened, with their plaintext (`recentCookies`). */
  readonly recent: RecentCookies
  /**
   * Cookie storage: session ids that `invalidateSubject` kept (`except`), with the mark's time.
   * The request that set the mark may still save that session: it starts over after the mark.
   */
  readonly spared: Map<string, number>
  /** The PBKDF2 of remember cookies being opened: off the event loop, bounded. */
  readonly slowKeys: SlowKeys
}

/** Which storage an engine runs, and the store's ports it uses there. */
interface StorePorts {
  readonly server: boolean
  readonly records: LiftedRecords | undefined
  readonly marks: LiftedMarks | undefined
}

const lacking = (store: object, names: readonly string[]): string[] =>
  names.filter((name) => typeof (store as Record<string, unknown>)[name] !== 'function')

/**
 * The storage an engine runs and the parts of its store it lifts: server
 * storage (the default with a store) takes a whole `SessionStore` and uses its
 * records; cookie storage takes a `RevocationStore` (a whole store is one) and
 * uses its marks alone, or runs with no store at all. Throws ConfigError when
 * the store lacks a function the storage needs.
 */
export const storePorts = (
  storage: 'cookie' | 'server' | undefined,
  store: SessionStore | RevocationStore | undefined,
): StorePorts => {
  const server = storage === undefined ? store !== undefined : storage === 'server'
  if (store === undefined) {
    if (server) throw new ConfigError(['storage: "server" needs a store'])
    return { server, records: undefined, marks: undefined }
  }
  if (!server) {
    const missing = lacking(store, MARK_FUNCTIONS)
    if (missing.length > 0)
      throw new ConfigError([`store: a store of revocation marks needs ${missing.join(', ')} (a RevocationStore)`])
    return { server, records: undefined, marks: liftMarks(store) }
  }
  const missing = lacking(store, [...RECORD_FUNCTIONS, ...MARK_FUNCTIONS])
  if (missing.length > 0) {
    const marksOnly = lacking(store, RECORD_FUNCTIONS).length === RECORD_FUNCTIONS.length
    throw new ConfigError([
      `store: server storage needs a whole SessionStore (session records and revocation marks); this one lacks ${missing.join(', ')}` +
        (marksOnly ? '. A store of revocation marks alone serves storage: "cookie"' : ''),
    ])
  }
  return { server, records: liftRecords(store as SessionStore), marks: undefined }
}

/**
 * The key under which a server-side session record's unencrypted info names
 * its remember record. Audiences are never empty and this one starts with `~`,
 * which no app audience is expected to use; lua-resty-session ignores it.
 */
export const REMEMBER_LINK = '~remember'

/** Builds the keyring once: SHA-256 of each secret (or the raw ikm) as its key material. */
export const buildKeyring = (o: ResolvedOptions): Keyring => {
  const toKm = (s: Buffer) => keyMaterial(o.secrets.isIkm ? s : ikmFromSecret(s))
  return { primary: toKm(o.secrets.primary), fallbacks: o.secrets.fallbacks.map(toKm) }
}

/** Wraps a listener so that a throwing listener can never break a request. */
export const safeEmit =
  (listener: EventListener | undefined) =>
  (event: SessionEvent): void => {
    if (listener === undefined) return
    try {
      listener(event)
    } catch {
      // An audit hook failing must not fail the session.
    }
  }

/** Current time in epoch seconds, the unit of the wire format. */
export const nowSeconds = (ctx: EngineContext): number => Math.floor(ctx.clock.now() / 1000)

/** The storage key of a session id: base64url of it, or of its SHA-256 with `hashStorageKey`. */
export const storageKey = (ctx: EngineContext, sid: Uint8Array): string =>
  b64.encode(ctx.o.hashStorageKey ? createHash('sha256').update(sid).digest() : sid)

/** A subject as it reaches storage: base64url, or base64url(SHA-256(subject)[0..16]) with `hashSubject`. */
export const encodeSubject = (ctx: EngineContext, subject: string): string =>
  ctx.o.hashSubject
    ? b64.encode(createHash('sha256').update(subject).digest().subarray(0, 16))
    : Buffer.from(subject).toString('base64url')

/** An (audience, subject) index reference, both encoded. */
export const subjectRef = (ctx: EngineContext, audience: string, subject: string): SubjectRef => ({
  audience: Buffer.from(audience).toString('base64url'),
  subject: encodeSubject(ctx, subject),
})

/** The ref under which every session of a subject is found, whatever its audience. */
export const anyAudienceRef = (ctx: EngineContext, subject: string): SubjectRef => ({
  audience: ANY_AUDIENCE,
  subject: encodeSubject(ctx, subject),
})

/**
 * Index entries for a session: one per audience that has a subject (hashed
 * for every audience when `hashSubject` is on, unlike the reference), plus
 * one any-audience entry per distinct subject.
 */
export const indexRefs = (ctx: EngineContext, entries: readonly Entry[]): SubjectRef[] => {
  if (!ctx.o.storeMetadata) return []
  const refs: SubjectRef[] = []
  const subjects = new Set<string>()
  for (const e of entries) {
    if (e.subject === undefined) continue
    refs.push(subjectRef(ctx, e.audience, e.subject))
    subjects.add(e.subject)
  }
  for (const s of subjects) refs.push(anyAudienceRef(ctx, s))
  return refs
}

/** The cookie a kind of session cookie is sent under. */
export const cookieName = (ctx: EngineContext, kind: 'session' | 'remember'): string =>
  kind === 'session' ? ctx.o.cookie.name : ctx.o.cookie.rememberName
