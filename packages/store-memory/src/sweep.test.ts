import { fresh, NAME, nowSeconds, ref, sid } from '@tessera/test-kit'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryStore } from './index.js'

const now = nowSeconds()
const index = [ref('aud', 'sub')]

describe('memory store sweep', () => {
  it('drops expired records, their index entries and expired marks without a read', async () => {
    const store = createMemoryStore({ sweepIntervalMs: 0 })
    await store.write(fresh(sid('dead'), now, { ttl: 10, index }))
    await store.write(fresh(sid('live'), now, { ttl: 20, index }))
    await store.deny(NAME, sid('dead'), now + 10, now)
    await store.setNotBefore(NAME, ref('aud', 'sub'), now, now + 10)
    expect(store.sweep(now + 10)).toBe(3)
    expect(store.size()).toBe(1)
    expect(await store.listIndex(NAME, ref('aud', 'sub'), now)).toEqual([{ key: sid('live'), expiresAt: now + 20 }])
    expect(await store.read(NAME, sid('dead'), now)).toBeNull()
  })

  it('sweeps on its timer by the injected clock', async () => {
    let clockMs = now * 1000
    const store = createMemoryStore({ sweepIntervalMs: 5, clock: () => clockMs })
    try {
      await store.write(fresh(sid('a'), now, { ttl: 60 }))
      clockMs = (now + 60) * 1000
      await vi.waitFor(() => expect(store.size()).toBe(0), { timeout: 1000, interval: 5 })
    } finally {
      store.close()
    }
  })

  it('finishes a sweep larger than one slice, spread over event-loop turns', async () => {
    let clockMs = now * 1000
    const store = createMemoryStore({ maxEntries: 30_000, sweepIntervalMs: 5, clock: () => clockMs })
    try {
      for (let i = 0; i < 25_000; i++) await store.write(fresh(sid(`${i}`), now, { ttl: 60, index }))
      clockMs = (now + 60) * 1000
      await vi.waitFor(() => expect(store.size()).toBe(0), { timeout: 5000, interval: 5 })
      expect(await store.listIndex(NAME, ref('aud', 'sub'), now)).toEqual([])
    } finally {
      store.close()
    }
  })

  it('stops sweeping once closed', async () => {
    const clock = vi.fn(() => (now + 3600) * 1000)
    const store = createMemoryStore({ sweepIntervalMs: 5, clock })
    store.close()
    await store.write(fresh(sid('a'), now, { ttl: 60 }))
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(clock).not.toHaveBeenCalled()
    expect(store.size()).toBe(1)
  })
})
