import { ANY_AUDIENCE, type IndexEntry, type SubjectRef } from '@tessera/core'
import { Cluster } from 'ioredis'
import type { Context } from './context.js'
import { sameSlot } from './slot.js'

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
 * The index keys `ref` stands for: its own, and for the any-audience ref also
 * the subject's index under every audience that has one (the reference writes
 * only those), found by SCAN over every node that holds keys.
 */
export const indexesOf = async (ctx: Context, name: string, ref: SubjectRef): Promise<string[]> => {
  const own = ctx.keys.index(name, ref)
  if (ref.audience !== ANY_AUDIENCE) return [own]
  const { glob, accepts } = ctx.keys.anyAudienceIndex(name, ref)
  const nodes = ctx.client instanceof Cluster ? ctx.client.nodes('master') : [ctx.client]
  const found = new Set([own])
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', glob, 'COUNT', SCAN_COUNT, 'TYPE', 'zset')
      for (const key of keys) if (accepts(key)) found.add(key)
      cursor = next
    } while (cursor !== '0')
  }
  return [...found]
}
const SCAN_COUNT = 1000

/** Live members of several indexes, each key once (its latest expiry), soonest expiry first. */
const liveMembersOf = async (ctx: Context, indexes: readonly string[], now: number): Promise<IndexEntry[]> => {
  const lists = await Promise.all(indexes.map((idx) => liveMembers(ctx, idx, now)))
  if (lists.length === 1) return lists[0] ?? []
  const byKey = new Map<string, number>()
  for (const e of lists.flat()) byKey.set(e.key, Math.max(byKey.get(e.key) ?? 0, e.expiresAt))
  return [...byKey].map(([key, expiresAt]) => ({ key, expiresAt })).sort((a, b) => a.expiresAt - b.expiresAt)
}

/**
 * Live entries of an index whose record still exists: an entry may outlive
 * its record for a moment (records go first), never the other way round.
 */
export const listLive = async (ctx: Context, name: string, ref: SubjectRef, now: number): Promise<IndexEntry[]> =>
  listLiveIn(ctx, name, await indexesOf(ctx, name, ref), now)

/** `listLive` over index keys already found. */
export const listLiveIn = async (
  ctx: Context,
  name: string,
  indexes: readonly string[],
  now: number,
): Promise<IndexEntry[]> => {
  const entries = await liveMembersOf(ctx, indexes, now)
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

/**
 * Deletes one session (record first), then its entries in every index it was
 * written to; whether it was live, and the value it had.
 */
export const dropIndexed = async (
  ctx: Context,
  name: string,
  listedIn: readonly string[],
  key: string,
  now: number,
): Promise<{ readonly live: boolean; readonly value: string | undefined }> => {
  const rec = ctx.keys.record(name, key)
  const reply = (await ctx.scripts.dropRecord([rec, ctx.keys.companion(rec)], [now])) as [number, string, string?]
  const indexes = new Set([...listedIn, ...parseIndexes(reply[1])])
  await Promise.all([...indexes].map((i) => ctx.client.zrem(i, key)))
  return { live: reply[0] === 1, value: reply[2] }
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
  const indexes = await indexesOf(ctx, name, ref)
  const skip = new Set(keep)
  let removed = 0
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const victims = (await liveMembersOf(ctx, indexes, now)).filter((e) => !skip.has(e.key))
    if (victims.length === 0) break
    const live = await Promise.all(victims.map((e) => dropIndexed(ctx, name, indexes, e.key, now)))
    removed += live.filter((d) => d.live).length
    for (const e of victims) skip.add(e.key)
  }
  return removed
}
