import type { Cluster, Redis } from 'ioredis'
import * as lua from './lua.js'
import { LIMITED, RESERVE } from './lua-limit.js'

type Arg = string | number
type Script = (keys: readonly string[], args: readonly Arg[]) => Promise<unknown>

/** The store's Lua scripts, run with EVALSHA (ioredis falls back to EVAL once per node on NOSCRIPT). */
export interface Scripts {
  readonly create: Script
  readonly rotate: Script
  readonly putRecord: Script
  readonly replaceRecord: Script
  readonly addIndex: Script
  readonly dropRecord: Script
  readonly update: Script
  readonly touch: Script
  readonly remove: Script
  readonly notBefore: Script
  readonly limited: Script
  readonly reserve: Script
}

const SOURCES: Record<keyof Scripts, string> = {
  create: lua.CREATE,
  rotate: lua.ROTATE,
  putRecord: lua.PUT_RECORD,
  replaceRecord: lua.REPLACE_RECORD,
  addIndex: lua.ADD_INDEX,
  dropRecord: lua.DROP_RECORD,
  update: lua.UPDATE,
  touch: lua.TOUCH,
  remove: lua.REMOVE,
  notBefore: lua.NOT_BEFORE,
  limited: LIMITED,
  reserve: RESERVE,
}

// ioredis adds a method per defined command; its types cannot know the names.
type Defined = Record<string, (numberOfKeys: number, ...keysAndArgs: Arg[]) => Promise<unknown>>

/** Defines the scripts on the client (idempotent, so a shared client is fine). */
export const defineScripts = (client: Redis | Cluster): Scripts => {
  const methods = client as unknown as Defined
  const entries = Object.entries(SOURCES).map(([name, source]) => {
    const command = `tessera_${name}`
    client.defineCommand(command, { lua: source })
    const script: Script = (keys, args) => methods[command]!(keys.length, ...keys, ...args)
    return [name, script] as const
  })
  return Object.fromEntries(entries) as unknown as Scripts
}
