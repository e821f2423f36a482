import type { IndexEntry, SubjectRef } from '@tessera/core'
import { sameSlot } from './slot.js'
import type { Context } from './write.js'

/** Deletes a record and its entries in `index`: one script where the keys share a slot, else record first. */
export const removeRecord = async (ctx: Context, name: string, key: string, index: readonly SubjectRef[]) => {
  const rec = ctx.keys.record(name, key)
  const comp = ctx.keys.companion(rec)
  const indexes = index.map((ref) => ctx.keys.index(name, ref))
  const keys = [rec, comp, ...indexes]
  // Whether the record was still live does not matter here, so no clock is needed: 0.
  if (!ctx.cluster || sameSlot(keys)) {
    await ctx.scripts.remove(keys, [0, key])
    return
  }
  await ctx.scripts.dropRecord([rec, comp], [0])
  await Promise.all(indexes.map((idx) => ctx.client.zrem(idx, key)))
}

// Entries scored at or before now are dead; `(now` makes the bound exclusive.
const liveMembers = async (ctx: Context, idx: string, now: number): Promise<IndexEntry[]> => {
  const flat = await ctx.client.zrangebyscore(idx, `(${now}`, '+inf', 'WITHSCORES')
  const entries: IndexEntry[] = []
  for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ key: flat[i]!, expiresAt: Number(flat[i + 1]) })
  return entries
}

/**
 * Live entries of an index whose record still exists: an entry may outlive
 * its record for a moment (records go first), never the other way round.
 */
export const listLive = async (ctx: Context, name: string, ref: SubjectRef, now: number): Promise<IndexEntry[]> => {
  const entries = await liveMembers(ctx, ctx.keys.index(name, ref), now)
  const exists = await Promise.all(entries.map((e) => ctx.client.exists(ctx.keys.record(name, e.key))))
  return entries.filter((_, i) => exists[i] === 1)
}

const parseIndexes = (json: unknown): string[] => {
  try {
    const list: unknown = JSON.parse(String(json))
    return Array.isArray(list) ? list.filter((k): k is string => typeof k === 'string') : []
  } catch {
    return []
  }
}

/** Deletes one session (record first), then its entries in every index it was written to. */
const dropIndexed = async (ctx: Context, name: string, idx: string, key: string, now: number): Promise<boolean> => {
  const rec = ctx.keys.record(name, key)
  const reply = (await ctx.scripts.dropRecord([rec, ctx.keys.companion(rec)], [now])) as [number, string]
  const indexes = new Set([idx, ...parseIndexes(reply[1])])
  await Promise.all([...indexes].map((i) => ctx.client.zrem(i, key)))
  return reply[0] === 1
}

// A rotation racing with us adds its new key to the index before it marks the
// old key replaced, so reading the index again after each pass catches it.
const MAX_PASSES = 8

/** Deletes every live session of an index but `keep`; counts those that were live. */
export const removeIndexed = async (
  ctx: Context,
  name: string,
  ref: SubjectRef,
  keep: readonly string[],
  now: number,
): Promise<number> => {
  const idx = ctx.keys.index(name, ref)
  const skip = new Set(keep)
  let removed = 0
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const victims = (await liveMembers(ctx, idx, now)).filter((e) => !skip.has(e.key))
    if (victims.length === 0) break
    const live = await Promise.all(victims.map((e) => dropIndexed(ctx, name, idx, e.key, now)))
    removed += live.filter(Boolean).length
    for (const e of victims) skip.add(e.key)
  }
  return removed
}
