/**
 * Writes under a per-subject limit. Where every key shares a slot (always,
 * off Cluster) one script counts, evicts or refuses, and writes. On a Cluster
 * with keys spread over slots the limit is held in the subject's any-audience
 * index, which every limited write of the subject enters through one script
 * on that index's slot (see docs/decisions.md).
 */
import type { WriteLimit, WriteOutcome, WriteRequest } from '@tessera/core'
import type { Context } from './context.js'
import { dropIndexed, indexesOf, listLiveIn } from './remove.js'
import { sameSlot } from './slot.js'
import { allKeys, type Plan, plan, writeStepwise } from './write.js'

/** A script's reply as the port's outcome: `{'ok', evicted...}`, `{'full'}` or `{'conflict'}`. */
const outcomeOf = (reply: readonly string[], evicted: readonly string[]): WriteOutcome => {
  const tag = reply[0]
  if (tag === 'full' || tag === 'conflict') return tag
  return evicted.length === 0 ? 'ok' : { evicted }
}

/** The index keys the limit counts: each ref's own, and for the any-audience ref the subject's under every audience. */
const countedIndexes = async (ctx: Context, name: string, limit: WriteLimit): Promise<string[]> => {
  const found = await Promise.all(limit.refs.map((ref) => indexesOf(ctx, name, ref)))
  return [...new Set(found.flat())]
}

const atomic = async (ctx: Context, r: WriteRequest, p: Plan, limit: WriteLimit, counted: readonly string[]) => {
  const prev = r.previous
  const { head, tail, tagged } = ctx.keys.recordAffixes(r.name)
  const write = [r.value, r.ttl, r.now, r.createdAt, r.key, JSON.stringify(p.indexes)]
  const rotation = [prev === undefined ? 0 : 1, prev?.version ?? 0, prev?.successor ?? '', prev?.staleTtl ?? 0]
  const rest = [prev?.key ?? '', p.indexes.length, limit.max, limit.evict ? 1 : 0, head, tail, tagged ? 1 : 0]
  const reply = (await ctx.scripts.limited([...allKeys(p), ...counted], [...write, ...rotation, ...rest])) as string[]
  return outcomeOf(reply, reply.slice(1))
}

/**
 * Live sessions of the subject the reservation index does not hold and no
 * companion describes: the reference wrote them (under their audience only).
 * They are counted from this listing, made just before the reservation.
 */
const referenceSessions = async (ctx: Context, r: WriteRequest, counted: readonly string[], reserve: string) => {
  const listed = await listLiveIn(ctx, r.name, counted, r.now)
  const others = listed.filter((e) => e.key !== r.key && e.key !== r.previous?.key)
  const seen = await Promise.all(
    others.map(async (e) => {
      const [score, described] = await Promise.all([
        ctx.client.zscore(reserve, e.key),
        ctx.client.exists(ctx.keys.companion(ctx.keys.record(r.name, e.key))),
      ])
      return score !== null || described === 1
    }),
  )
  return others.filter((_, i) => !seen[i]).map((e) => [e.key, e.expiresAt])
}

/**
 * Keys in several slots. The other index entries and the record are written
 * first (as an unlimited write orders them); the reservation then enters the
 * any-audience index only if the limit allows, evicting the oldest there; a
 * refused or conflicting write is deleted again. Evicted sessions go last.
 */
const stepwise = async (ctx: Context, r: WriteRequest, p: Plan, limit: WriteLimit, counted: readonly string[]) => {
  const { client, scripts } = ctx
  const first = limit.refs[0]
  const reserve = first === undefined ? undefined : ctx.keys.index(r.name, first)
  // Not indexed where the limit counts (no metadata): nothing to count it against.
  if (reserve === undefined || !p.indexes.includes(reserve)) return writeStepwise(ctx, r, p)
  const extra = await referenceSessions(ctx, r, counted, reserve)
  const others = p.indexes.filter((idx) => idx !== reserve)
  await Promise.all(others.map((idx) => scripts.addIndex([idx], [r.now, r.ttl, r.key])))
  await scripts.putRecord([p.rec, p.comp], [r.value, r.ttl, r.now, r.createdAt, JSON.stringify(p.indexes)])
  const prev = r.previous
  const args = [r.now, r.ttl, r.key, prev?.key ?? '', limit.max, limit.evict ? 1 : 0, JSON.stringify(extra)]
  const reply = (await scripts.reserve([reserve], args)) as string[]
  const undo = async (tag: 'full' | 'conflict') => {
    await scripts.dropRecord([p.rec, p.comp], [r.now])
    await Promise.all(p.indexes.map((idx) => client.zrem(idx, r.key)))
    return tag
  }
  if (reply[0] === 'full') return undo('full')
  if (prev !== undefined && p.old !== undefined) {
    const old = [r.now, prev.version, prev.successor, prev.staleTtl, r.createdAt]
    // Sessions evicted for a write that then conflicts stay evicted: its retry counts again.
    if ((await scripts.replaceRecord([p.old.rec, p.old.comp], old)) !== 1) return undo('conflict')
    await Promise.all(p.indexes.map((idx) => client.zrem(idx, prev.key)))
  }
  const dropped = await Promise.all(reply.slice(1).map((key) => dropIndexed(ctx, r.name, counted, key, r.now)))
  return outcomeOf(
    reply,
    dropped.flatMap((d) => (d.value === undefined ? [] : [d.value])),
  )
}

/** Writes a record under `limit`. */
export const writeLimited = async (ctx: Context, r: WriteRequest, limit: WriteLimit): Promise<WriteOutcome> => {
  const p = plan(ctx, r)
  const counted = await countedIndexes(ctx, r.name, limit)
  return !ctx.cluster || sameSlot([...allKeys(p), ...counted])
    ? atomic(ctx, r, p, limit, counted)
    : stepwise(ctx, r, p, limit, counted)
}
