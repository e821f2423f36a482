/**
 * Forgetting a session on the server side when it is destroyed: server mode
 * deletes the record and every record it was rotated into (so a save that
 * raced the logout cannot keep the session alive); cookie mode with a
 * revocation store denylists the session id until the cookie expires anyway.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { type EngineContext, indexRefs, storageKey } from './context.js'
import type { SessionError } from './errors.js'
import { authenticate, type CookieKind } from './open.js'
import { remaining } from './policy.js'
import type { SessionImpl } from './session.js'

const MAX_CHAIN = 8
const MAX_TTL = 34_560_000

/** Deletes the record at `key` and, following successor pointers, every later record of the session. */
const removeChain = (
  ctx: EngineContext,
  s: SessionImpl,
  name: string,
  key: string,
  kind: CookieKind,
  now: number,
  hops = 0,
): TE.TaskEither<SessionError, void> => {
  const store = ctx.store
  if (store === undefined) return TE.right(undefined)
  const refs = kind === 'session' ? indexRefs(ctx, s.entries) : []
  return pipe(
    store.read(name, key, now),
    TE.flatMap((record) =>
      pipe(
        store.remove(name, key, refs),
        TE.flatMap(() => {
          if (record === null || record.successor === null || hops >= MAX_CHAIN) return TE.right(undefined)
          const next = authenticate(ctx, record.successor, s.binding)
          if (E.isLeft(next)) return TE.right(undefined)
          return removeChain(ctx, s, name, storageKey(ctx, next.right.header.sid), kind, now, hops + 1)
        }),
      ),
    ),
  )
}

/** Makes one cookie of a destroyed session unusable on the server side. */
export const forgetCookie = (
  ctx: EngineContext,
  s: SessionImpl,
  kind: CookieKind,
  now: number,
): TE.TaskEither<SessionError, void> => {
  const o = ctx.o
  const meta = kind === 'session' ? s.meta : s.rememberMeta
  const name = kind === 'session' ? o.cookie.name : o.cookie.rememberName
  const store = ctx.store
  if (meta === undefined || store === undefined) return TE.right(undefined)
  const key = meta.key ?? storageKey(ctx, meta.header.sid)
  if (ctx.server) return removeChain(ctx, s, name, key, kind, now)
  const timeouts =
    kind === 'session'
      ? o
      : { ...o, idlingTimeout: 0, rollingTimeout: o.rememberRollingTimeout, absoluteTimeout: o.rememberAbsoluteTimeout }
  const left = remaining(meta.header, timeouts, now).nearest ?? MAX_TTL
  return store.deny(name, key, now + Math.max(left, 1))
}
