import { describe, expect, it } from 'vitest'
import { RecentCookies } from './recent.js'

const cookie = (mac: string, rest = '') => `${'h'.repeat(88)}${mac.padEnd(22, 'm')}${rest}`

describe('RecentCookies', () => {
  it('finds a value only when the whole value matches, not just its MAC characters', () => {
    const recent = new RecentCookies(4)
    recent.add(cookie('A', 'payload'), { plaintext: '[1]' }, 0)
    expect(recent.get(cookie('A', 'payload'), 0)?.plaintext).toBe('[1]')
    expect(recent.get(cookie('A', 'payloaX'), 0)).toBeUndefined()
    expect(recent.get(cookie('B', 'payload'), 0)).toBeUndefined()
  })

  it('forgets the oldest entry first once full', () => {
    const recent = new RecentCookies(2)
    for (const mac of ['A', 'B', 'C']) recent.add(cookie(mac), { plaintext: mac }, 0)
    expect(recent.get(cookie('A'), 0)).toBeUndefined()
    expect(recent.get(cookie('B'), 0)?.plaintext).toBe('B')
    expect(recent.get(cookie('C'), 0)?.plaintext).toBe('C')
  })

  it('keeps an entry at most maxAge seconds', () => {
    const recent = new RecentCookies(4, 120)
    recent.add(cookie('A'), { plaintext: 'secret' }, 1000)
    expect(recent.get(cookie('A'), 1120)?.plaintext).toBe('secret')
    expect(recent.get(cookie('A'), 1121)).toBeUndefined()
    expect(recent.get(cookie('A'), 1000)).toBeUndefined()
  })

  it('drops an entry on delete, and can keep the same value again afterwards', () => {
    const recent = new RecentCookies(4)
    recent.add(cookie('A'), { plaintext: 'secret' }, 0)
    recent.delete(cookie('A'))
    expect(recent.get(cookie('A'), 0)).toBeUndefined()
    recent.add(cookie('A'), { plaintext: 'again' }, 0)
    expect(recent.get(cookie('A'), 0)?.plaintext).toBe('again')
  })
})
