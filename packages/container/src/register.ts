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
  type RevocationStore,
  type SessionData,
  type SessionEngine,
  type SessionOptions,
  type SessionStore,
} from '@tessera/core'
import { type DependencyContainer, instanceCachingFactory } from 'tsyringe'
import { type OwnedStore, type StoreUrlOptions, storeFromUrl } from './store-url.js'

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
  /**
   * `memory://` (default), `postgres://…`, `redis://…`, `redis-sentinel://…`, `redis-cluster://…`,
   * a scheme of `schemes`, or a store: a `SessionStore`, or with `storage: 'cookie'` a
   * `RevocationStore` (revocation marks alone).
   */
  readonly store?: string | SessionStore | RevocationStore
  /** The app's own stores by URL scheme, as `storeFromUrl` takes them: `{ 'mystore:': (url) => ({ store, close }) }`. */
  readonly schemes?: StoreUrlOptions['schemes']
  /** How the optional store packages and drivers are imported (see `storeFromUrl`). */
  readonly load?: StoreUrlOptions['load']
  readonly clock?: Clock
  readonly random?: RandomSource
  readonly onEvent?: EventListener
}

const owned = new WeakMap<DependencyContainer, OwnedStore>()

/**
 * Registers the engine and its ports in a tsyringe container. A store URL is made into a store
 * here, once (importing its package and driver if the scheme needs them), so a URL it cannot use,
 * or a store package that is not installed, rejects with a ConfigError before anything resolves.
 * @example
 * await registerTessera(container, { session: { secret }, store: process.env.TESSERA_STORE ?? 'memory://' })
 * const engine = container.resolve<SessionEngine>(TesseraTokens.engine)
 */
export const registerTessera = async (
  container: DependencyContainer,
  registration: TesseraRegistration,
): Promise<DependencyContainer> => {
  const given = registration.store ?? 'memory://'
  let store: SessionStore | RevocationStore
  if (typeof given === 'string') {
    const made = await storeFromUrl(given, {
      ...(registration.schemes === undefined ? {} : { schemes: registration.schemes }),
      ...(registration.load === undefined ? {} : { load: registration.load }),
    })
    owned.set(container, made)
    store = made.store
  } else {
    store = given
  }
  container.register(TesseraTokens.options, { useValue: registration.session })
  container.register(TesseraTokens.store, { useValue: store })
  if (registration.clock) container.register(TesseraTokens.clock, { useValue: registration.clock })
  if (registration.random) container.register(TesseraTokens.random, { useValue: registration.random })
  container.register(TesseraTokens.engine, {
    useFactory: instanceCachingFactory<SessionEngine<SessionData>>((c) =>
      createSessionEngine(c.resolve<SessionOptions>(TesseraTokens.options), {
        store: c.resolve<SessionStore | RevocationStore>(TesseraTokens.store),
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
