/**
 * The composition root for tsyringe: explicit tokens and factories, no
 * decorator metadata (esbuild, which vitest and tsx use, does not emit it).
 */
import 'reflect-metadata'
import {
  type Clock,
  createSessionEngine,
  type EventListener,
  type RandomSource,
  type SessionData,
  type SessionEngine,
  type SessionOptions,
  type SessionStore,
} from '@tessera/core'
import { type DependencyContainer, instanceCachingFactory } from 'tsyringe'
import { type OwnedStore, storeFromUrl } from './store-url.js'

/** The tokens `registerTessera` registers. Resolve `TesseraTokens.engine` to get the engine. */
export const TesseraTokens = {
  options: Symbol.for('tessera.options'),
  store: Symbol.for('tessera.store'),
  clock: Symbol.for('tessera.clock'),
  random: Symbol.for('tessera.random'),
  engine: Symbol.for('tessera.engine'),
} as const

/** What `registerTessera` needs: session options, and a store URL (or a store) and optional ports. */
export interface TesseraRegistration {
  readonly session: SessionOptions
  /** `memory://` (default), `postgres://…`, `redis://…`, `redis-sentinel://…`, `redis-cluster://…`, or a store. */
  readonly store?: string | SessionStore
  readonly clock?: Clock
  readonly random?: RandomSource
  readonly onEvent?: EventListener
}

const owned = new WeakMap<DependencyContainer, OwnedStore>()

/**
 * Registers the engine and its ports in a tsyringe container; the store is made from a URL, once.
 * @example
 * registerTessera(container, { session: { secret }, store: process.env.TESSERA_STORE ?? 'memory://' })
 * const engine = container.resolve<SessionEngine>(TesseraTokens.engine)
 */
export const registerTessera = (
  container: DependencyContainer,
  registration: TesseraRegistration,
): DependencyContainer => {
  container.register(TesseraTokens.options, { useValue: registration.session })
  container.register(TesseraTokens.store, {
    useFactory: instanceCachingFactory<SessionStore>(() => {
      const given = registration.store ?? 'memory://'
      if (typeof given !== 'string') return given
      const made = storeFromUrl(given)
      owned.set(container, made)
      return made.store
    }),
  })
  if (registration.clock) container.register(TesseraTokens.clock, { useValue: registration.clock })
  if (registration.random) container.register(TesseraTokens.random, { useValue: registration.random })
  container.register(TesseraTokens.engine, {
    useFactory: instanceCachingFactory<SessionEngine<SessionData>>((c) =>
      createSessionEngine(c.resolve<SessionOptions>(TesseraTokens.options), {
        store: c.resolve<SessionStore>(TesseraTokens.store),
        clock: c.isRegistered(TesseraTokens.clock) ? c.resolve<Clock>(TesseraTokens.clock) : undefined,
        random: c.isRegistered(TesseraTokens.random) ? c.resolve<RandomSource>(TesseraTokens.random) : undefined,
        onEvent: registration.onEvent,
      }),
    ),
  })
  return container
}

/** Closes the store the container made from a URL (connections, timers); a store you passed in is yours to close. */
export const closeTessera = async (container: DependencyContainer): Promise<void> => {
  await owned.get(container)?.close()
  owned.delete(container)
}
