/** The known-answer vectors made by the unmodified lua-resty-session 4.1.5 (fixtures/). */
import { readFileSync } from 'node:fs'

/** One vector, loosely typed: each has its own extra fields. */
export interface LuaVector {
  readonly name: string
  readonly config: Record<string, unknown>
  readonly cookie: string
  readonly now?: number
  readonly plaintext?: string
  readonly set_cookie?: string[]
  readonly header: {
    readonly sid_b64url?: string
    readonly creation_time: number
    readonly data_size: number
    readonly flags: number
  }
  readonly [key: string]: unknown
}

const readVectors = <V>(file: string): readonly V[] =>
  JSON.parse(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')).vectors

/** Every vector in the fixture file. */
export const luaVectors: readonly LuaVector[] = readVectors('lua-resty-session-4.json')

/**
 * A cookie the reference split over chunks: `set_cookie` in the order nginx
 * sent it, `cookie` by name, `data` the plaintext, and the value length of
 * each chunk (`chunk_value_lengths`) at a size where the count changes.
 */
export interface ChunkVector {
  readonly name: string
  readonly config: Record<string, unknown>
  readonly now: number
  readonly set_cookie: readonly string[]
  readonly cookie: Readonly<Record<string, string>>
  readonly header: { readonly sid_b64url: string; readonly data_size: number }
  readonly data: string
  readonly chunk_value_lengths: readonly number[]
}

/** The reference's chunk splits at every boundary (names `c-<data size>`) from the Kong and chunks fixture. */
export const chunkVectors: readonly ChunkVector[] = readVectors<ChunkVector>(
  'lua-resty-session-4-kong-and-chunks.json',
).filter((v) => v.name.startsWith('c-'))

/** The vector whose name starts with `prefix`. */
export const luaVector = (prefix: string): LuaVector => {
  const v = luaVectors.find((x) => x.name.startsWith(prefix))
  if (v === undefined) throw new Error(`no vector ${prefix}`)
  return v
}

/** A vector's snake_case config as Tessera options (its test secret is weak on purpose). */
export const optionsFromVector = (config: Record<string, unknown>): Record<string, unknown> => ({
  ...Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k !== 'storage')
      .map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
  ),
  allowWeakSecret: true,
  // lua-resty-session sets Secure only when asked (cookie_secure), and its vectors were made without it.
  cookie: { secure: false },
  // The reference's session ids are plain random bytes: the vectors' ids are re-encoded as they are.
  tagSessionIds: false,
})

/** Cookies the reference made the way Kong's Session plugin does (k1, k2, r1), from the Kong and chunks fixture. */
export const kongVectors: readonly Record<string, unknown>[] = readVectors<Record<string, unknown>>(
  'lua-resty-session-4-kong-and-chunks.json',
).filter((v) => !String(v.name).startsWith('c-'))

/** The Kong vector whose name starts with `prefix`. */
export const kongVector = (prefix: string): Record<string, unknown> => {
  const v = kongVectors.find((x) => String(x.name).startsWith(prefix))
  if (v === undefined) throw new Error(`no vector ${prefix}`)
  return v
}
