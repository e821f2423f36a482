/**
 * The session a request works with: one audience's data, subject and
 * remember choice, plus what the engine needs to save, touch or end it.
 * A session is mutable and belongs to one request; the engine is stateless.
 */

import type { SessionRecord } from '../ports/records.js'
import type { Binding } from '../wire/codec.js'
import type { Entry, JsonValue, SessionData } from '../wire/entries.js'
import { getOwn, isPlainObject, setOwn } from '../wire/entries.js'
import { FLAG_FORGET, type Header } from '../wire/header.js'
import type { KeyMaterial } from '../wire/keys.js'

/** What a request's session looks like to the app. */
export interface Session<D extends SessionData = SessionData> {
  /** The 43-char base64url session id; undefined until the session is saved. */
  readonly id: string | undefined
  readonly state: 'new' | 'open' | 'closed'
  readonly audience: string
  readonly subject: string | undefined
  /**
   * This audience's data when it is an object (empty otherwise: see `value`).
   * Change it through `set`, so that concurrent saves can merge.
   */
  readonly data: Readonly<Partial<D>>
  /**
   * This audience's data as stored, whatever JSON value it is: Kong's Session
   * plugin keeps an array (`kongConsumerOf` reads it).
   */
  readonly value: JsonValue
  /** Creation time (epoch seconds); undefined for a new session. */
  readonly createdAt: number | undefined
  /** Whether a remember cookie is kept for this session. */
  readonly remember: boolean
  /** True when anything was changed since the session was opened or saved. */
  readonly changed: boolean
  get<K extends keyof D & string>(key: K): D[K] | undefined
  /** Sets (undefined deletes) one key of object data. Throws on data that is not an object: use `replace`. */
  set<K extends keyof D & string>(key: K, value: D[K] | undefined): void
  /** Replaces this audience's whole data with any JSON value (copied, so later changes to it are not seen). */
  replace(value: JsonValue): void
  setSubject(subject: string | undefined): void
  setAudience(audience: string): void
  setRemember(remember: boolean): void
  /** Unencrypted info kept beside a server-side record (e.g. user agent, IP) for `listSessions`. */
  getInfo(key: string): unknown
  setInfo(key: string, value: unknown): void
}

/** What `data` shows for data that is not an object (read it through `value`). */
const NOT_AN_OBJECT: SessionData = Object.freeze({})

/** What the engine knows about a cookie it opened or issued. */
export interface CookieMeta {
  readonly header: Header
  readonly headerText: string
  readonly km: KeyMaterial
  /** Cookie mode: the payload part of the first cookie (a touch re-sends it). */
  readonly firstChunk: string
  /** Server mode: the record's storage key and the record as read or written. */
  readonly key: string | undefined
  readonly record: SessionRecord | undefined
}

/** Engine-side state of a session. Not part of the public API. */
export class SessionImpl<D extends SessionData = SessionData> implements Session<D> {
  state: 'new' | 'open' | 'closed' = 'new'
  meta: CookieMeta | undefined
  rememberMeta: CookieMeta | undefined
  /** Keys this request changed in its audience's data (undefined = deleted), re-applied after a conflict. */
  readonly changes = new Map<string, unknown>()
  rememberChoice: boolean | undefined
  /** Per-audience unencrypted info (server mode), a Map so that no audience name can reach a prototype. */
  info: Map<string, SessionData> | undefined
  /** Set-Cookie lines for this response, one per cookie name (later lines replace earlier ones). */
  readonly cookies = new Map<string, string>()
  dirty = false
  /** Server mode: the live record of this session as last written by this process, if newer than `meta`. */
  knownHead: CookieMeta | undefined
  subjectChanged = false
  /** The whole data was replaced by this request: after a conflict it wins over the other save's data. */
  replaced = false
  /** The subject this audience had before this request changed it (meaningful while `subjectChanged`). */
  subjectBefore: string | undefined
  /** Set by regenerate: the next save starts the session over (new id and creation, the old id ended). */
  renew = false
  /** Set by the save that started the session over: nothing may follow the old id to the new one. */
  restarted = false
  /** Something sealed in the cookie changed (data, subject, audience, remember): saving it needs a new cookie. */
  sealedChanged = false
  /** The unencrypted info changed (server storage keeps it beside the record, outside the cookie). */
  infoChanged = false

  constructor(
    public entries: Entry[],
    public index: number,
    readonly binding: Binding,
    readonly requestCookies: ReadonlyMap<string, string>,
    private readonly rememberDefault: boolean,
  ) {}

  get entry(): Entry {
    const e = this.entries[this.index]
    if (e === undefined) throw new Error('session has no current audience')
    return e
  }
  get id(): string | undefined {
    return this.meta?.header.sid.toString('base64url')
  }
  get audience(): string {
    return this.entry.audience
  }
  get subject(): string | undefined {
    return this.entry.subject
  }
  get data(): Readonly<Partial<D>> {
    const data = this.entry.data
    return (isPlainObject(data) ? data : NOT_AN_OBJECT) as Partial<D>
  }
  get value(): JsonValue {
    return this.entry.data as JsonValue
  }
  get createdAt(): number | undefined {
    return this.meta?.header.creation
  }
  get remember(): boolean {
    // A session whose cookie says "forget" (the user chose no remember-me) stays so.
    if (this.rememberChoice === undefined && ((this.meta?.header.flags ?? 0) & FLAG_FORGET) !== 0) return false
    return this.rememberChoice ?? this.rememberDefault
  }
  get changed(): boolean {
    return this.dirty
  }
  /** Whether the next save starts the session over: regenerate, or a subject that really changed. */
  get startsOver(): boolean {
    return this.renew || (this.subjectChanged && this.entry.subject !== this.subjectBefore)
  }

  get<K extends keyof D & string>(key: K): D[K] | undefined {
    this.assertUsable()
    const data = this.entry.data
    return isPlainObject(data) ? (getOwn(data, key) as D[K] | undefined) : undefined
  }
  set<K extends keyof D & string>(key: K, value: D[K] | undefined): void {
    this.assertUsable()
    setOwn(this.objectData(), key, value)
    this.changes.set(key, value)
    this.sealedChanged = true
    this.dirty = true
  }
  replace(value: JsonValue): void {
    this.assertUsable()
    // A copy through JSON: what is saved is exactly what the reference will read back.
    const text = JSON.stringify(value)
    if (text === undefined) throw new TypeError('session data must be a JSON value')
    this.entry.data = JSON.parse(text)
    this.changes.clear()
    this.replaced = true
    this.sealedChanged = true
    this.dirty = true
  }
  setSubject(subject: string | undefined): void {
    this.assertUsable()
    if (!this.subjectChanged) this.subjectBefore = this.entry.subject
    this.entry.subject = subject
    this.subjectChanged = true
    this.sealedChanged = true
    this.dirty = true
  }
  setAudience(audience: string): void {
    this.assertUsable()
    const current = this.entry
    if (audience === current.audience) return
    const info = this.info?.get(current.audience)
    if (info !== undefined) {
      this.info?.set(audience, info)
      this.info?.delete(current.audience)
    }
    // Like the reference: an existing entry of the target audience is replaced by this one.
    const previous = this.entries.findIndex((e) => e.audience === audience)
    current.audience = audience
    if (previous !== -1) {
      this.entries.splice(previous, 1)
      if (previous < this.index) this.index--
    }
    this.sealedChanged = true
    this.dirty = true
  }
  setRemember(remember: boolean): void {
    this.assertUsable()
    this.rememberChoice = remember
    this.sealedChanged = true
    this.dirty = true
  }
  getInfo(key: string): unknown {
    const own = this.info?.get(this.audience)
    return own === undefined ? undefined : getOwn(own, key)
  }
  setInfo(key: string, value: unknown): void {
    this.assertUsable()
    this.info ??= new Map()
    const own = this.info.get(this.audience) ?? {}
    setOwn(own, key, value)
    this.info.set(this.audience, own)
    this.infoChanged = true
    this.dirty = true
  }

  /** The data as an object for `set`: null (no data yet) becomes one; other values are not overwritten. */
  private objectData(): SessionData {
    const entry = this.entry
    if (isPlainObject(entry.data)) return entry.data
    if (entry.data !== null) {
      const kind = Array.isArray(entry.data) ? 'an array' : `a ${typeof entry.data}`
      throw new TypeError(`session data of audience "${entry.audience}" is ${kind}, not an object: use replace()`)
    }
    entry.data = {}
    return entry.data as SessionData
  }

  /** Using a closed session is a programmer defect, not a runtime condition. */
  private assertUsable(): void {
    if (this.state === 'closed') throw new Error('session is closed')
  }
}
