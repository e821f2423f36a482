import type { SessionRecord, SessionStore, UpdateRequest } from '@tessera/core'
import { openClient, type RedisTarget, readiness, withDeadline } from './client.js'
import type { Context } from './context.js'
import { describeTarget, watchHealth } from './health.js'
import { keyLayout } from './keys.js'
import { writeLimited } from './limit.js'
import * as marks from './marks.js'
import { toRecord } from './meta.js'
import { listLive, removeIndexed, removeRecord } from './remove.js'
import { defineScripts } from './scripts.js'
import { writeRecord } from './write.js'

/** Options of `createRedisStore`: where Redis is, plus the reference's `prefix` and `suffix`. */
export type RedisStoreOptions = RedisTarget & {
  /** Key prefix, as lua-resty-session's `prefix` (joined with `:`). */
  readonly prefix?: string
  /** Key suffix, as lua-resty-session's `suffix` (joined with `:`). */
  readonly suffix?: string
  /** Every call settles within this many milliseconds, Redis up or down. Default 2000. */
  readonly commandTimeoutMs?: number
  /**
   * Gets one line when Redis becomes unreachable and one when it is back, each
   * naming it (no password). Default `console.warn`.
   */
  readonly log?: (line: string) => void
}

/** A `SessionStore` on Redis, with `close()` for the client it opened itself. */
export type RedisStore = SessionStore & {
  /** Closes the connection the store opened; an app-owned `client` is left open. */
  readonly close: () => Promise<void>
  /**
   * Resolves once Redis is connected (waiting for it at most `commandTimeoutMs`), and rejects
   * with the reason otherwise (at once while it is known to be down): call it at start-up.
   */
  readonly ready: () => Promise<void>
  /** One PING round trip, in milliseconds; rejects as `ready` does: call it from a health route. */
  readonly ping: () => Promise<number>
  /** What the store connects to, as its log lines name it (no password). */
  readonly target: string
}

/**
 * Creates a Redis session store in lua-resty-session 4.x's key layout (single node, Sentinel or Cluster).
 *
 * @example
 * const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix: 'myapp' })
 * const engine = createSessionEngine({ secret, audience: 'portal' }, { store })
 * // Kong / OpenResty sharing the Redis: use the same cookie name, prefix and suffix there.
 */
export const createRedisStore = (options: RedisStoreOptions): RedisStore => {
  const timeoutMs = options.commandTimeoutMs ?? 2000
  const keys = keyLayout(options.prefix, options.suffix)
  const { client, owned } = openClient(options, timeoutMs)
  const ctx: Context = { client, keys, scripts: defineScripts(client), cluster: client.isCluster }
  const ready = readiness(client)
  const target = describeTarget(options, client)
  const health = watchHealth(client, target, options.log ?? ((line) => console.warn(line)))

  // Waits for a (re)connecting client, then runs; the whole call is bounded,
  // whatever options an app-owned client was made with. A single command on a
  // ready client of our own is bounded by its commandTimeout already, so the
  // hot path sets no timer of its own.
  const single = (oneCommand: boolean) => oneCommand && owned
  const guard =
    <A extends unknown[], R>(what: string, run: (...args: A) => Promise<R>, oneCommand = false) =>
    (...args: A): Promise<R> => {
      if (single(oneCommand) && client.status === 'ready') return run(...args)
      // Known down: fail now, not after the timeout; ioredis keeps reconnecting meanwhile.
      const down = client.status === 'ready' ? undefined : health.downError(what)
      if (down !== undefined) return Promise.reject(down)
      const connected = ready(timeoutMs).then(() => run(...args))
      // Still connecting: the first refusal ends the wait, as a known outage would.
      const call = client.status === 'ready' ? connected : Promise.race([connected, health.nextDown(what)])
      return withDeadline(call, timeoutMs, `${what} timed out (${target})`)
    }
  const oneScript = !client.isCluster

  // No script: one MGET (record and companion share a slot), so a read costs
  // Redis about what a plain GET does.
  const read = async (name: string, key: string, now: number): Promise<SessionRecord | null> => {
    const rec = keys.record(name, key)
    const [value, meta] = await client.mget(rec, keys.companion(rec))
    return value == null ? null : toRecord(value, meta ?? null, now, () => client.pttl(rec))
  }

  const update = async (r: UpdateRequest) => {
    const rec = keys.record(r.name, r.key)
    const done = await ctx.scripts.update([rec, keys.companion(rec)], [r.value, r.version, r.now])
    return done === 1 ? ('ok' as const) : ('conflict' as const)
  }

  return {
    read: guard('read', read, true),
    write: guard(
      'write',
      (request) =>
        request.limit === undefined ? writeRecord(ctx, request) : writeLimited(ctx, request, request.limit),
      oneScript,
    ),
    update: guard('update', update, true),
    touch: guard(
      'touch',
      async (name: string, key: string, at: number) => {
        const rec = keys.record(name, key)
        await ctx.scripts.touch([rec, keys.companion(rec)], [at])
      },
      true,
    ),
    remove: guard('remove', (name, key, index) => removeRecord(ctx, name, key, index), oneScript),
    listIndex: guard('listIndex', (name, ref, now) => listLive(ctx, name, ref, now)),
    removeIndexed: guard('removeIndexed', (name, ref, keep, now) => removeIndexed(ctx, name, ref, keep, now)),
    deny: guard('deny', (name, key, until, now) => marks.deny(ctx, name, key, until, now), true),
    isDenied: guard('isDenied', (name, key, now) => marks.isDenied(ctx, name, key, now), true),
    setNotBefore: guard(
      'setNotBefore',
      (name, ref, time, until) => marks.setNotBefore(ctx, name, ref, time, until),
      true,
    ),
    getNotBefore: guard('getNotBefore', (name, refs, now) => marks.getNotBefore(ctx, name, refs, now)),
    ready: guard('ready', async () => undefined),
    ping: guard('ping', async () => {
      const started = performance.now()
      await client.ping()
      return performance.now() - started
    }),
    target,
    close: async () => {
      health.stop()
      if (owned) await client.quit().catch(() => client.disconnect())
    },
  }
}
