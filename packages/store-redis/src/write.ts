import type { WriteRequest, WriteResult } from '@tessera/core'
import type { Context } from './context.js'
import { sameSlot } from './slot.js'

/** The keys of one write. */
export interface Plan {
  readonly rec: string
  readonly comp: string
  readonly old: { readonly rec: string; readonly comp: string } | undefined
  readonly indexes: readonly string[]
}

export const plan = ({ keys }: Context, request: WriteRequest): Plan => {
  const rec = keys.record(request.name, request.key)
  const previous = request.previous
  const oldRec = previous === undefined ? undefined : keys.record(request.name, previous.key)
  return {
    rec,
    comp: keys.companion(rec),
    old: oldRec === undefined ? undefined : { rec: oldRec, comp: keys.companion(oldRec) },
    indexes: request.index.map((ref) => keys.index(request.name, ref)),
  }
}

export const allKeys = (p: Plan): string[] => [
  p.rec,
  p.comp,
  ...(p.old === undefined ? [] : [p.old.rec, p.old.comp]),
  ...p.indexes,
]

/** One script: the record, its companion and its index entries (and for a rotation the old record's cut), atomically. */
const writeAtomic = async ({ scripts }: Context, r: WriteRequest, p: Plan): Promise<WriteResult> => {
  const prev = r.previous
  if (prev === undefined) {
    await scripts.create([p.rec, p.comp, ...p.indexes], [r.value, r.ttl, r.now, r.createdAt, r.key])
    return 'ok'
  }
  const args = [r.value, r.ttl, r.now, r.createdAt, JSON.stringify(p.indexes)]
  const more = [prev.version, prev.successor, prev.staleTtl, prev.key, r.key]
  const done = await scripts.rotate(allKeys(p), [...args, ...more])
  return done === 1 ? 'ok' : 'conflict'
}

/**
 * Keys in several Cluster slots: one script per slot, ordered so a subject's
 * index never misses a live session. The index entry comes before the record
 * is written; the new record before the old one is marked replaced (until
 * then nobody holds the new key, so a conflict only has to delete it again);
 * the old key leaves the index last.
 */
export const writeStepwise = async ({ client, scripts }: Context, r: WriteRequest, p: Plan): Promise<WriteResult> => {
  await Promise.all(p.indexes.map((idx) => scripts.addIndex([idx], [r.now, r.ttl, r.key])))
  await scripts.putRecord([p.rec, p.comp], [r.value, r.ttl, r.now, r.createdAt, JSON.stringify(p.indexes)])
  const prev = r.previous
  if (prev === undefined || p.old === undefined) return 'ok'
  const replaced = await scripts.replaceRecord(
    [p.old.rec, p.old.comp],
    [r.now, prev.version, prev.successor, prev.staleTtl, r.createdAt],
  )
  if (replaced !== 1) {
    await scripts.dropRecord([p.rec, p.comp], [r.now])
    await Promise.all(p.indexes.map((idx) => client.zrem(idx, r.key)))
    return 'conflict'
  }
  await Promise.all(p.indexes.map((idx) => client.zrem(idx, prev.key)))
  return 'ok'
}

/** Writes a record, atomically where its keys share a slot (always, off Cluster). */
export const writeRecord = (ctx: Context, request: WriteRequest): Promise<WriteResult> => {
  const p = plan(ctx, request)
  return !ctx.cluster || sameSlot(allKeys(p)) ? writeAtomic(ctx, request, p) : writeStepwise(ctx, request, p)
}
