/**
 * Cookie headers shaped to be slow: looking up one cookie and parsing the
 * whole header cost what a benign header of the same size costs.
 */
import { performance } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { cookieValueOf, parseCookieHeader } from './cookies.js'

describe('Cookie headers built to be slow cost what benign ones of their size do', () => {
  const SIZE = 64 * 1024
  const fill = (unit: (i: number) => string, tail: string) => {
    let text = ''
    for (let i = 0; text.length < SIZE - tail.length - 8; i++) text += unit(i)
    return text + tail
  }
  const tail = 'session=value'
  const benign = fill((i) => `pref_${i}=${'v'.repeat(24 + (i % 40))}; `, tail)
  const crafted = {
    'the name only at the end': fill(() => 'a=1; ', tail),
    'no "=" anywhere': fill(() => 'a; ', tail),
  }

  /** Median milliseconds of `runs` calls. */
  const median = (fn: () => unknown, runs = 7) => {
    const times: number[] = []
    for (let i = 0; i < runs; i++) {
      const t = performance.now()
      fn()
      times.push(performance.now() - t)
    }
    return times.sort((a, b) => a - b)[Math.floor(runs / 2)] ?? 0
  }

  for (const [what, header] of Object.entries(crafted)) {
    it(`${what}: looking up the session cookie`, () => {
      expect(header.length).toBeLessThanOrEqual(SIZE)
      expect(cookieValueOf(header, 'session')).toBe('value')
      const base = median(() => cookieValueOf(benign, 'session'))
      expect(median(() => cookieValueOf(header, 'session'))).toBeLessThan(4 * base + 0.5)
    })
    it(`${what}: parsing the whole header`, () => {
      expect(parseCookieHeader(header).get('session')).toBe('value')
      // Thousands of tiny cookies cost what each cookie costs (linear); only a restarting search is an attack here.
      if (what !== 'no "=" anywhere') return
      const base = median(() => parseCookieHeader(benign))
      expect(median(() => parseCookieHeader(header))).toBeLessThan(4 * base + 0.5)
    })
  }
})
