/**
 * The plaintext of a lua-resty-session 4.x session: a JSON array with one
 * entry per audience, `[[data, audience, subject?], …]`.
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import {
  type InvalidCookie,
  type InvalidData,
  invalidCookie,
  invalidData,
  type UnsavableData,
  unsavableData,
} from '../errors.js'

/** Object data: what `get` and `set` work on. */
export type SessionData = Record<string, unknown>

/**
 * Any value the reference can store as an audience's data (it stores what
 * `set_data` was given: Kong's Session plugin gives an array).
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/** One audience's part of a session. `data` is any JSON value; apps mostly keep an object. */
export interface Entry {
  data: unknown
  audience: string
  subject: string | undefined
}

/** True for object data (as opposed to an array, a string, a number, a boolean or null). */
export const isPlainObject = (v: unknown): v is SessionData => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Serialises entries the way the reference does (a missing subject is left out). An audience
 * with a schema is encoded through it (a transforming codec, e.g. a Date kept as a number, writes
 * what it decodes); data its schema refuses is an `InvalidData`, and data JSON cannot carry an
 * `UnsavableData`: typed Lefts, never an exception, and nothing is serialised.
 */
export const encodeEntries = (
  entries: readonly Entry[],
  schemas: ReadonlyMap<string, t.Mixed> = NO_SCHEMAS,
): E.Either<InvalidData | UnsavableData, string> => {
  const rows: unknown[] = []
  for (const e of entries) {
    const data = schemas.size === 0 ? e.data : encodeData(e, schemas.get(e.audience))
    if (data === REFUSED) return E.left(invalidData(e.audience))
    rows.push(e.subject === undefined ? [data, e.audience] : [data, e.audience, e.subject])
  }
  return toJson(rows)
}

/** JSON.stringify, with what it throws (BigInt, cycles, a throwing toJSON, the stack of deep nesting) as a Left. */
export const toJson = (value: unknown): E.Either<UnsavableData, string> => {
  try {
    return E.right(JSON.stringify(value))
  } catch (e) {
    return E.left(unsavableData(e))
  }
}

const NO_SCHEMAS: ReadonlyMap<string, t.Mixed> = new Map()
const REFUSED = Symbol('refused')

/** An entry's data as its schema encodes it, or REFUSED when the schema does not accept it. */
const encodeData = (e: Entry, schema: t.Mixed | undefined): unknown => {
  if (schema === undefined) return e.data
  if (!schema.is(e.data)) return REFUSED
  try {
    return schema.encode(e.data)
  } catch {
    return REFUSED
  }
}

/**
 * Parses and checks the plaintext. JSON.parse makes `__proto__` an own
 * property, never a prototype, and data is only ever read as own properties.
 * An audience with a schema must pass it; its decoded value replaces the data.
 */
export const decodeEntries = (
  plaintext: string,
  schemas: ReadonlyMap<string, t.Mixed>,
): E.Either<InvalidCookie, Entry[]> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(plaintext)
  } catch {
    return E.left(invalidCookie('json', 'plaintext is not JSON'))
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return E.left(invalidCookie('json', 'expected a non-empty array'))
  const entries: Entry[] = []
  for (const item of parsed) {
    if (!Array.isArray(item) || item.length < 2 || item.length > 3) return E.left(invalidCookie('json', 'bad entry'))
    const [data, audience, subject] = item as unknown[]
    // cjson encodes an empty Lua table as {} but some encoders use []: both are the same empty data.
    const body = Array.isArray(data) && data.length === 0 ? {} : data
    // Any JSON value is data (Kong keeps `[consumer, credential, groups]`): only the audience is checked.
    if (typeof audience !== 'string') return E.left(invalidCookie('json', 'bad entry'))
    if (subject !== undefined && subject !== null && typeof subject !== 'string') {
      return E.left(invalidCookie('json', 'bad subject'))
    }
    const schema = schemas.get(audience)
    let checked: unknown = body
    if (schema !== undefined) {
      const result = schema.decode(body)
      if (E.isLeft(result)) return E.left(invalidCookie('data', `data of audience "${audience}" fails its schema`))
      checked = result.right
    }
    entries.push({ data: checked, audience, subject: typeof subject === 'string' ? subject : undefined })
  }
  return E.right(entries)
}

/** Own-property read: inherited names such as `constructor` are never session data. */
export const getOwn = (data: SessionData, key: string): unknown => (Object.hasOwn(data, key) ? data[key] : undefined)

/** Own-property write that cannot reach a prototype, even for `__proto__`. */
export const setOwn = (data: SessionData, key: string, value: unknown): void => {
  if (value === undefined) delete data[key]
  // Plain assignment for every key but `__proto__`, whose setter would replace the prototype instead.
  else if (key !== '__proto__') data[key] = value
  else Object.defineProperty(data, key, { value, writable: true, enumerable: true, configurable: true })
}
