import { describe, expect, it } from 'vitest'
import { retryDelay } from './retry.js'

const fixed = (hi: number, lo: number) => ({ bytes: () => Uint8Array.from([hi, lo]) })

describe('retryDelay', () => {
  it('is 0 at the lowest draw and the ceiling at the highest, the ceiling doubling from 4 ms to 100 ms', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 30].map((a) => retryDelay(a, fixed(0, 0)))).toEqual([0, 0, 0, 0, 0, 0, 0, 0])
    expect([1, 2, 3, 4, 5, 6, 7, 30].map((a) => retryDelay(a, fixed(255, 255)))).toEqual([
      4, 8, 16, 32, 64, 100, 100, 100,
    ])
  })

  it('spreads draws over the whole range (full jitter)', () => {
    expect(retryDelay(6, fixed(128, 0))).toBe(50)
  })
})
