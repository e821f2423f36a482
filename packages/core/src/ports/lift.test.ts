import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { liftStore } from './lift.js'
import type { SessionStore } from './ports.js'

/** A store with one operation, `read`, answering as `answer` says. */
const storeAnswering = (answer: () => Promise<unknown>): SessionStore => ({ read: answer }) as unknown as SessionStore

describe('liftStore', () => {
  it('passes a result through as Right', async () => {
    const lifted = liftStore(storeAnswering(() => Promise.resolve(null)))
    expect(await lifted.read('session', 'k', 0)()).toEqual(E.right(null))
  })

  it('turns a rejection into StoreUnavailable naming the operation and its cause', async () => {
    const cause = new Error('ECONNREFUSED')
    const result = await liftStore(storeAnswering(() => Promise.reject(cause))).read('session', 'k', 0)()
    expect(result).toEqual(E.left(expect.objectContaining({ _tag: 'StoreUnavailable', operation: 'read', cause })))
  })

  it('turns a synchronous throw into StoreUnavailable too, never an exception', async () => {
    const cause = new TypeError('client closed')
    const task = liftStore(
      storeAnswering(() => {
        throw cause
      }),
    ).read('session', 'k', 0)
    expect(await task()).toEqual(E.left(expect.objectContaining({ _tag: 'StoreUnavailable', cause })))
  })

  it('does nothing until the task runs', () => {
    let calls = 0
    const task = liftStore(
      storeAnswering(() => {
        calls++
        return Promise.resolve(null)
      }),
    ).read('session', 'k', 0)
    expect(calls).toBe(0)
    void task()
    expect(calls).toBe(1)
  })
})
