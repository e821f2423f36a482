import { describe, expect, it } from 'vitest'
import { RecentCookies } from './recent.js'

const cookie = (mac: string, rest = '') => `${'h'.repeat(88)}${mac.padEnd(22, 'm')}${rest}`

describe('RecentCookies', () => {
  it('finds a value only when the whole value matches, not just its MAC characters', () => {
    const recent = new RecentCookies(4)
    recent.add(cookie('A', 'payload'), { plaintext: '[1]' })
    expect(recent.get(cookie('A', 'payload'))?.plaintext).toBe('[1]')
    expect(recent.get(cookie('A', 'payloaX'))).toBeUndefined()
    expect(recent.get(cookie('B', 'payload'))).toBeUndefined()
  })

  it('forgets the oldest entry first once full', () => {
    const recent = new RecentCookies(2)
    for (const mac of ['A', 'B', 'C']) recent.add(cookie(mac), { plaintext: mac })
    expect(recent.get(cookie('A'))).toBeUndefined()
    expect(recent.get(cookie('B'))?.plaintext).toBe('B')
    expect(recent.get(cookie('C'))?.plaintext).toBe('C')
  })
})
