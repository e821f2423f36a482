import type { SubjectRef } from '@tessera/core'
import type { Context } from './context.js'

// A mark's Redis TTL is its life counted from the caller's `now` (Redis's own
// clock is never asked), and reads filter by the caller's `now` too.

/** Denies a key until `until`. The value is the end, so reads can filter by their own `now`. */
export const deny = async (ctx: Context, name: string, key: string, until: number, now: number): Promise<void> => {
  await ctx.client.set(ctx.keys.deny(name, key), String(until), 'EX', Math.max(1, until - now))
}

/** True when a deny mark for `key` is live at `now`. */
export const isDenied = async (ctx: Context, name: string, key: string, now: number): Promise<boolean> => {
  const until = await ctx.client.get(ctx.keys.deny(name, key))
  return until !== null && Number(until) > now
}

/** Raises (never lowers) the not-before mark of a subject; stored as `time:until`. */
export const setNotBefore = async (
  ctx: Context,
  name: string,
  ref: SubjectRef,
  time: number,
  until: number,
): Promise<void> => {
  await ctx.scripts.notBefore([ctx.keys.notBefore(name, ref)], [time, until])
}

const parseMark = (raw: string | null, now: number): number | null => {
  const match = raw === null ? null : /^(\d+):(\d+)$/.exec(raw)
  if (match === null || Number(match[2]) <= now) return null
  return Number(match[1])
}

/** The latest not-before time among `refs` that is live at `now`. */
export const getNotBefore = async (
  ctx: Context,
  name: string,
  refs: readonly SubjectRef[],
  now: number,
): Promise<number | null> => {
  // One GET per key: a subject's marks may sit in different Cluster slots, where MGET fails.
  const raws = await Promise.all(refs.map((ref) => ctx.client.get(ctx.keys.notBefore(name, ref))))
  const times = raws.map((raw) => parseMark(raw, now)).filter((t): t is number => t !== null)
  return times.length === 0 ? null : Math.max(...times)
}
