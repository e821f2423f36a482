export { failFastOptions, type RedisTarget } from './client.js'
export { createRedisStore, type RedisStore, type RedisStoreOptions } from './store.js'
