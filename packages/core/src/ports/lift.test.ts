import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { liftMarks, liftRecords } from './lift.js'
import type { SessionStore } from './ports.js'
import type { SessionRecordStore } from './records.js'

/** A store with one operation, `read`, answering as `answer` says. */
const storeAnswering = (answer: () => Promise<unknown>): SessionRecordStore =>
  ({ read: answer }) as unknown as SessionRecordStore

/** A whole store whose every function resolves to its own name. */
const wholeStore = (): SessionStore => {
  const names = ['read', 'write', 'update', 'touch', 'remove', 'listIndex', 'removeIndexed']
  const marks = ['deny', 'isDenied', 'setNotBefore', 'getNotBefore']
  return Object.fromEntries(
    [...names, ...marks, 'close'].map((n) => [n, () => Promise.resolve(n)]),
  ) as unknown as SessionStore
}

describe('liftRecords and liftMarks', () => {
  it('each lift the functions of their own port and nothing else', async () => {
    const store = wholeStore()
    const records = liftRecords(store)
    const marks = liftMarks(store)
    expect(Object.keys(records).sort()).toEqual(
      ['listIndex', 'read', 'remove', 'removeIndexed', 'touch', 'update', 'write'].sort(),
    )
    expect(Object.keys(marks).sort()).toEqual(['deny', 'getNotBefore', 'isDenied', 'setNotBefore'])
    expect(await records.update({ name: 'session', key: 'k', value: 'v', version: 1, now: 0 })()).toEqual(
      E.right('update'),
    )
    expect(await marks.getNotBefore('session', [], 0)()).toEqual(E.right('getNotBefore'))
  })
})

describe('liftRecords', () => {
  it('passes a result through as Right', async () => {
    const lifted = liftRecords(storeAnswering(() => Promise.resolve(null)))
    expect(await lifted.read('session', 'k', 0)()).toEqual(E.right(null))
  })

  it('turns a rejection into StoreUnavailable naming the operation and its cause', async () => {
    const cause = new Error('ECONNREFUSED')
    const result = await liftRecords(storeAnswering(() => Promise.reject(cause))).read('session', 'k', 0)()
    expect(result).toEqual(E.left(expect.objectContaining({ _tag: 'StoreUnavailable', operation: 'read', cause })))
  })

  it('turns a synchronous throw into StoreUnavailable too, never an exception', async () => {
    const cause = new TypeError('client closed')
    const task = liftRecords(
      storeAnswering(() => {
        throw cause
      }),
    ).read('session', 'k', 0)
    expect(await task()).toEqual(E.left(expect.objectContaining({ _tag: 'StoreUnavailable', cause })))
  })

  it('does nothing until the task runs', () => {
    let calls = 0
    const task = liftRecords(
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
