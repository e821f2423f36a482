import { ConfigError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { createRedisStore } from './store.js'

describe('createRedisStore({ url })', () => {
  // `process.env.REDIS_URL` unset or empty must not quietly mean localhost:6379.
  it.each([undefined, '', '  '])('throws a ConfigError for the url %j', (url) => {
    const make = () => createRedisStore({ url })
    expect(make).toThrow(ConfigError)
    expect(make).toThrow(/url: (missing|empty)/)
  })
})
