import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { clampOffset, decide, elapsed, remaining, storeTtl } from './timeouts.js'

const T0 = 1_700_000_000
const defaults = { idlingTimeout: 900, rollingTimeout: 3600, absoluteTimeout: 86400, touchThreshold: 60, clockSkew: 60 }
const fresh = { creation: T0, rolling: 0, idling: 0 }

describe('decide: each limit is valid exactly at the limit and rejects one second later', () => {
  it.each([
    ['absolute', { ...defaults, idlingTimeout: 0, rollingTimeout: 0 }, 86400],
    ['rolling', { ...defaults, idlingTimeout: 0 }, 3600],
    ['idle', defaults, 900],
  ] as const)('%s timeout', (timeout, options, limit) => {
    expect(decide(fresh, options, T0 + limit)._tag).not.toBe('Reject')
    expect(decide(fresh, options, T0 + limit + 1)).toEqual({ _tag: 'Reject', timeout })
  })

  it('measures idle time from the last touch and rolling time from the last rotation', () => {
    const touched = { creation: T0, rolling: 2000, idling: 500 }
    expect(decide(touched, defaults, T0 + 2500 + 900)._tag).not.toBe('Reject')
    expect(decide(touched, defaults, T0 + 2500 + 901)).toEqual({ _tag: 'Reject', timeout: 'idle' })
  })
})

describe('decide: what an open session needs', () => {
  it.each([
    ['keeps within the touch threshold', 60, { _tag: 'Keep' }],
    ['touches past the touch threshold', 61, { _tag: 'Touch', idling: 61 }],
    ['rotates past 75% of the rolling timeout', 2701, { _tag: 'Rotate' }],
  ] as const)('%s', (_, after, expected) => {
    const options = { ...defaults, idlingTimeout: 3600 }
    expect(decide(fresh, options, T0 + after)).toEqual(expected)
  })

  it('touches only past the touch threshold', () => {
    expect(decide(fresh, defaults, T0 + 60)).toEqual({ _tag: 'Keep' })
    expect(decide(fresh, { ...defaults, touchThreshold: 0 }, T0 + 1)).toEqual({ _tag: 'Touch', idling: 1 })
  })

  it('after a rotation, writes the idling offset from the rotation, not from creation', () => {
    // Rotated 2000 s after creation, last touched 100 s after that; now 400 s after the rotation.
    const rotated = { creation: T0, rolling: 2000, idling: 100 }
    expect(decide(rotated, defaults, T0 + 2400)).toEqual({ _tag: 'Touch', idling: 400 })
  })

  it('clamps the idling offset it writes to what the header holds', () => {
    const options = { ...defaults, idlingTimeout: 2 ** 25, rollingTimeout: 0, absoluteTimeout: 0 }
    expect(decide(fresh, options, T0 + 2 ** 24 + 5)).toEqual({ _tag: 'Touch', idling: 2 ** 24 - 1 })
  })

  it('keeps everything when there is no idle or rolling timeout', () => {
    expect(decide(fresh, { ...defaults, idlingTimeout: 0, rollingTimeout: 0 }, T0 + 5000)).toEqual({ _tag: 'Keep' })
  })
})

describe('decide: rotation is due at the same second as in the reference', () => {
  // lua-resty-session's refresh(): `rolling_elapsed > floor(rolling_timeout * 0.75)`.
  const o = (rollingTimeout: number) => ({ ...defaults, idlingTimeout: 0, rollingTimeout, absoluteTimeout: 0 })
  it.each([
    [4, 3],
    [10, 7],
    [3600, 2700],
    [3601, 2700],
    [3602, 2701],
    [10.5, 7],
    [1, 0],
  ])('rolling %d: kept at elapsed %d, rotated one second later', (rolling, last) => {
    expect(decide(fresh, o(rolling), T0 + last)._tag).not.toBe('Rotate')
    expect(decide(fresh, o(rolling), T0 + last + 1)._tag).toBe('Rotate')
  })
  it('for any rolling timeout and elapsed time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.nat(10_000_000), (rolling, elapsed) => {
        fc.pre(elapsed <= rolling)
        const rotated = decide(fresh, o(rolling), T0 + elapsed)._tag === 'Rotate'
        expect(rotated).toBe(elapsed > Math.floor(rolling * 0.75))
      }),
    )
  })
})

describe('decide: fractional timeouts, as Kong allows', () => {
  const o = { ...defaults, idlingTimeout: 0, rollingTimeout: 10.5 }
  it('rotates from elapsed floor(0.75 × rolling) + 1 and rejects past the fraction', () => {
    expect(decide(fresh, o, T0 + 7)).toEqual({ _tag: 'Keep' })
    expect(decide(fresh, o, T0 + 8)).toEqual({ _tag: 'Rotate' })
    expect(decide(fresh, o, T0 + 10)).toEqual({ _tag: 'Rotate' })
    expect(decide(fresh, o, T0 + 11)).toEqual({ _tag: 'Reject', timeout: 'rolling' })
  })
})

describe('decide: clock skew', () => {
  it('accepts a creation time up to clockSkew in the future, as elapsed 0', () => {
    expect(decide(fresh, defaults, T0 - 60)).toEqual({ _tag: 'Keep' })
  })
  it('refuses rolling or idling offsets that point past now beyond the skew', () => {
    expect(decide({ creation: T0, rolling: 3600, idling: 0 }, defaults, T0 + 100)).toEqual({ _tag: 'Future' })
    expect(decide({ creation: T0, rolling: 0, idling: 3600 }, defaults, T0 + 100)).toEqual({ _tag: 'Future' })
    expect(decide({ creation: T0, rolling: 160, idling: 0 }, defaults, T0 + 100)._tag).not.toBe('Future')
  })
  it('rejects a creation time further in the future', () => {
    expect(decide(fresh, defaults, T0 - 61)).toEqual({ _tag: 'Future' })
  })
})

describe('storeTtl', () => {
  it('is the rolling timeout left, capped by the absolute timeout left', () => {
    expect(storeTtl(T0, 0, 3600, 86400, T0)).toBe(3600)
    expect(storeTtl(T0, 84000, 3600, 86400, T0 + 84000)).toBe(2400)
  })
  it('is whole seconds, rounded up, when the timeouts have fractions (Kong allows them)', () => {
    expect(storeTtl(T0, 0, 10.5, 86400, T0 + 3)).toBe(8)
    expect(storeTtl(T0, 0, 3600, 100.25, T0 + 50)).toBe(51)
  })
  it('shrinks as time passes since the last rotation', () => {
    expect(storeTtl(T0, 0, 3600, 86400, T0 + 1000)).toBe(2600)
    expect(storeTtl(T0, 2000, 3600, 86400, T0 + 2500)).toBe(3100)
    expect(storeTtl(T0, 84000, 3600, 86400, T0 + 84100)).toBe(2300)
  })
  it('with the absolute timeout off, is the rolling timeout left', () => {
    expect(storeTtl(T0, 0, 3600, 0, T0 + 100)).toBe(3500)
    expect(storeTtl(T0, 10_000_000, 3600, 0, T0 + 10_000_600)).toBe(3000)
  })
  it('with no rolling timeout, or one past 400 days, is 400 days, still capped by the absolute timeout', () => {
    expect(storeTtl(T0, 0, 0, 0, T0)).toBe(34_560_000)
    expect(storeTtl(T0, 0, 0, 0, T0 + 60)).toBe(34_560_000 - 60)
    expect(storeTtl(T0, 0, 34_560_001, 0, T0)).toBe(34_560_000)
    expect(storeTtl(T0, 0, 34_559_999, 0, T0)).toBe(34_559_999)
    expect(storeTtl(T0, 0, 0, 86400, T0 + 400)).toBe(86000)
  })
  it('counts a creation time in the future (within the skew) as no time elapsed', () => {
    expect(storeTtl(T0, 0, 3600, 86400, T0 - 30)).toBe(3600)
    expect(storeTtl(T0, 0, 3600, 1800, T0 - 30)).toBe(1800)
  })
  it('is at least one second', () => {
    expect(storeTtl(T0, 0, 3600, 86400, T0 + 90000)).toBe(1)
  })
})

describe('elapsed and remaining', () => {
  it('measure from creation, the last rotation and the last touch', () => {
    const t = { creation: T0, rolling: 2000, idling: 100 }
    expect(elapsed(t, T0 + 2400)).toEqual({ absolute: 2400, rolling: 400, idle: 300 })
    expect(remaining(t, defaults, T0 + 2400)).toEqual({ idle: 600, rolling: 3200, absolute: 84000, nearest: 600 })
  })
  it('count a creation time in the future as no time elapsed', () => {
    expect(elapsed(fresh, T0 - 30)).toEqual({ absolute: 0, rolling: 0, idle: 0 })
  })
  it('leave out the timeouts that are off, and have no nearest when all are', () => {
    const t = { creation: T0, rolling: 0, idling: 0 }
    expect(remaining(t, { ...defaults, idlingTimeout: 0 }, T0 + 10)).toEqual({
      idle: undefined,
      rolling: 3590,
      absolute: 86390,
      nearest: 3590,
    })
    expect(remaining(t, { ...defaults, rollingTimeout: 0, absoluteTimeout: 0 }, T0 + 10).nearest).toBe(890)
    const off = { ...defaults, idlingTimeout: 0, rollingTimeout: 0, absoluteTimeout: 0 }
    expect(remaining(t, off, T0 + 10)).toEqual({
      idle: undefined,
      rolling: undefined,
      absolute: undefined,
      nearest: undefined,
    })
  })
})

describe('clampOffset', () => {
  it('keeps an offset within 0 and the maximum', () => {
    expect(clampOffset(-5, 10)).toBe(0)
    expect(clampOffset(7, 10)).toBe(7)
    expect(clampOffset(11, 10)).toBe(10)
  })
})

describe('properties', () => {
  it('no sequence of touches and rotations lets a session live past its absolute timeout', () => {
    const step = fc.integer({ min: 1, max: 2000 })
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 200 }), (gaps) => {
        const options = { ...defaults, absoluteTimeout: 20_000 }
        let times = fresh
        let now = T0
        for (const gap of gaps) {
          now += gap
          const d = decide(times, options, now)
          if (d._tag === 'Reject') return true
          expect(now - T0).toBeLessThanOrEqual(options.absoluteTimeout)
          if (d._tag === 'Rotate') times = { creation: times.creation, rolling: now - times.creation, idling: 0 }
          if (d._tag === 'Touch') times = { ...times, idling: d.idling }
        }
        return true
      }),
    )
  })

  it('the store TTL never reaches past the absolute timeout', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86400 }), fc.integer({ min: 1, max: 100_000 }), (age, rolling) => {
        const ttl = storeTtl(T0, age, rolling, 86400, T0 + age)
        expect(age + ttl).toBeLessThanOrEqual(Math.max(86400, age + 1))
      }),
    )
  })
})
