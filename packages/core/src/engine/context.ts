/**
 * What every engine step shares: decoded options, key material, the ports,
 * and the encodings that turn session ids and subjects into storage keys.
 */

import { createHash } from 'node:crypto'
import type { ResolvedOptions } from '../options/options.js'
import type { LiftedStore } from '../ports/lift.js'
import { ANY_AUDIENCE, type Clock, type RandomSource, type SubjectRef } from '../ports/ports.js'
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
  /** The store: for records in server mode, for revocation marks in cookie mode. */
  readonly store: LiftedStore | undefined
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
