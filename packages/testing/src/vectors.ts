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

/** Every vector in the fixture file. */
export const luaVectors: readonly LuaVector[] = JSON.parse(
  readFileSync(new URL('../fixtures/lua-resty-session-4.json', import.meta.url), 'utf8'),
).vectors

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
})
