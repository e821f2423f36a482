/** Size limits of the wire format in server storage (cookie storage: packages/core/src/wire/codec.test.ts). */
import { createSessionEngine } from '@tessera/core'
import { createMemoryStore } from '@tessera/store-memory'
import { fakeClock, requestWith, runLeft, runRight } from '@tessera/test-kit'
import { describe, expect, it } from 'vitest'

const SECRET = 'Hk4Vr9Qz2Nw7Lb1Xt6Mc3Jp8Fs5Dg0Ye'
const T0 = 1_700_000_000

describe('size limits', () => {
  it('data too large for the header is a typed TooLarge in server mode, not a RangeError', async () => {
    const store = createMemoryStore()
    const e = createSessionEngine(
      { secret: SECRET, storage: 'server', compressionThreshold: 0 },
      { clock: fakeClock(T0), store },
    )
    const s = await runRight(e.start(requestWith()))
    s.set('huge', 'x'.repeat(13 * 1024 * 1024))
    expect(await runLeft(e.save(s))).toMatchObject({ _tag: 'TooLarge', limit: 2 ** 24 - 1 })
    store.close()
  })
})
