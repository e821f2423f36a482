// A CommonJS consumer: require() of the ES module packages (Node 20.19 or later).
import core = require('@tessera/core')
import storeMemory = require('@tessera/store-memory')
import expressBinding = require('@tessera/express')
import koaBinding = require('@tessera/koa')
import storeRedis = require('@tessera/store-redis')
import storePostgres = require('@tessera/store-postgres')
import container = require('@tessera/container')
import nodeCrypto = require('node:crypto')

const engine = core.createSessionEngine(
  { secret: nodeCrypto.randomBytes(32) },
  { store: storeMemory.createMemoryStore() },
)
const loaded: Record<string, unknown> = {
  'createSessionEngine()': engine,
  '@tessera/express tessera': expressBinding.tessera,
  '@tessera/koa tessera': koaBinding.tessera,
  '@tessera/store-redis createRedisStore': storeRedis.createRedisStore,
  '@tessera/store-postgres createPostgresStore': storePostgres.createPostgresStore,
  '@tessera/container storeFromUrl': container.storeFromUrl,
}
for (const [what, value] of Object.entries(loaded)) {
  if (value === undefined) throw new Error(`require(): ${what} is missing`)
}
console.log('require(): every package loads from CommonJS')
