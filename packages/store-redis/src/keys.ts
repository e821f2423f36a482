import type { SubjectRef } from '@tessera/core'
import { hashTagOf } from './slot.js'

/**
 * Key names. Records and subject indexes use lua-resty-session's exact layout
 * (utils.lua `get_name`): `[prefix:]<name>:<key>[:suffix]` and
 * `[prefix:]<name>:<audience>:<subject>[:suffix]`, so OpenResty and Tessera
 * read each other's keys. Tessera's own keys carry a `~` segment, which no
 * base64url key, audience or subject contains, so they never collide with the
 * reference's.
 */
export interface KeyLayout {
  readonly record: (name: string, key: string) => string
  /**
   * What a script needs to name the record of a base64url key itself: the
   * text before and after the key, and whether the companion keeps a hash
   * tag of the prefix or suffix (else it wraps the record key in one).
   */
  readonly recordAffixes: (name: string) => { readonly head: string; readonly tail: string; readonly tagged: boolean }
  /** Version, successor and times of a record; always in the record's Cluster slot. */
  readonly companion: (recordKey: string) => string
  readonly index: (name: string, ref: SubjectRef) => string
  /**
   * A glob for SCAN MATCH that finds the subject's index under any audience,
   * and the test a found key must pass (the glob's `*` may span a `:`).
   */
  readonly anyAudienceIndex: (
    name: string,
    ref: SubjectRef,
  ) => { readonly glob: string; readonly accepts: (key: string) => boolean }
  readonly deny: (name: string, key: string) => string
  readonly notBefore: (name: string, ref: SubjectRef) => string
}

// Braces decide Cluster slots, so they are allowed in a prefix or suffix only
// as a hash tag (which pins every key to one slot, see README), and never in
// a cookie name (RFC 6265 token characters exclude them anyway).
const checkAffix = (label: string, affix: string | undefined): void => {
  if (affix === undefined || !/[{}]/.test(affix) || hashTagOf(affix) !== undefined) return
  throw new TypeError(`createRedisStore: braces in ${label} ${JSON.stringify(affix)} must form one hash tag like {x}`)
}

// The reference joins segments with ':', so only values that cannot contain
// one may go in verbatim: base64url (every real key, audience and subject) and
// '*' (ANY_AUDIENCE). Anything else is written as '~' + base64url, which no
// verbatim value can equal, so distinct values never share a key.
// The empty subject is written as nothing, as the reference writes it (`<name>:<aud>:`).
const segment = (value: string): string =>
  /^[A-Za-z0-9_*-]*$/.test(value) ? value : `~${Buffer.from(value, 'utf8').toString('base64url')}`

// A subject the reference wrote raw (several audiences in one cookie) is its key segment as it is.
const subjectSegment = (ref: SubjectRef): string => (ref.verbatim === true ? ref.subject : segment(ref.subject))

const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&')

// What an audience segment can be: base64url (the reference's and ours), '*', or our escape.
const AUDIENCE_SEGMENT = /^(?:\*|~?[A-Za-z0-9_-]+)$/

const checkName = (name: string): string => {
  if (/[{}]/.test(name)) throw new TypeError(`@tessera/store-redis: cookie name ${JSON.stringify(name)} has braces`)
  return name
}

/** Builds the key layout for a prefix and suffix (both optional, like the reference's). */
export const keyLayout = (prefix?: string, suffix?: string): KeyLayout => {
  checkAffix('prefix', prefix)
  checkAffix('suffix', suffix)
  const head = prefix === undefined ? '' : `${prefix}:`
  const tail = suffix === undefined ? '' : `:${suffix}`
  // A record key without a hash tag hashes whole, so wrapping it whole in a
  // tag gives the companion the same slot; with a tag from the prefix or
  // suffix, appending keeps that tag first.
  const companion = (recordKey: string): string =>
    hashTagOf(recordKey) === undefined ? `{${recordKey}}:~meta` : `${recordKey}:~meta`
  return {
    record: (name, key) => `${head}${checkName(name)}:${segment(key)}${tail}`,
    recordAffixes: (name) => {
      const before = `${head}${checkName(name)}:`
      return { head: before, tail, tagged: hashTagOf(`${before}${tail}`) !== undefined }
    },
    companion,
    index: (name, ref) => `${head}${checkName(name)}:${segment(ref.audience)}:${subjectSegment(ref)}${tail}`,
    anyAudienceIndex: (name, ref) => {
      const before = `${head}${checkName(name)}:`
      const after = `:${subjectSegment(ref)}${tail}`
      return {
        glob: `${globEscape(before)}*${globEscape(after)}`,
        accepts: (key) =>
          key.length > before.length + after.length &&
          key.startsWith(before) &&
          key.endsWith(after) &&
          AUDIENCE_SEGMENT.test(key.slice(before.length, key.length - after.length)),
      }
    },
    deny: (name, key) => `${head}${checkName(name)}:~deny:${segment(key)}${tail}`,
    notBefore: (name, ref) => `${head}${checkName(name)}:~nbf:${segment(ref.audience)}:${segment(ref.subject)}${tail}`,
  }
}
