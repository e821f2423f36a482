/**
 * The default adapters of the Clock and RandomSource ports: the only place in
 * core that reads the system clock or the system's random generator.
 */
import { randomFillSync } from 'node:crypto'
import type { Clock, RandomSource } from './ports.js'

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() }

/** Cryptographically strong random bytes, drawn from a pool to save a syscall per session id. */
export const systemRandom = (poolSize = 4096): RandomSource => {
  const pool = Buffer.alloc(poolSize)
  let offset = poolSize
  return {
    bytes: (n) => {
      if (n > poolSize) return randomFillSync(Buffer.alloc(n))
      if (offset + n > poolSize) {
        randomFillSync(pool)
        offset = 0
      }
      // Copy out: a caller must never see its bytes change when the pool refills.
      const out = Buffer.from(pool.subarray(offset, offset + n))
      offset += n
      return out
    },
  }
}
