/**
 * The PBKDF2 of remember cookies, off the event loop and bounded.
 *
 * A remember cookie's AES key is PBKDF2 (1k to 1M iterations by
 * `rememberSafety`: about 4 / 53 / 455 ms at Medium / High / Very High on one
 * core). Anyone holding one of our cookies can make a request derive one, so
 * the work runs on libuv's thread pool (`crypto.pbkdf2`), and only so much of
 * it is accepted at once: a few derivations run, a few more wait, and one
 * client (the address the HTTP layer saw) has at most a couple in either.
 * Past a bound the remember cookie is not tried at all: the caller gets
 * undefined and the request goes on anonymous.
 */
import { pbkdf2 } from 'node:crypto'

/** How much PBKDF2 work is accepted at once. */
interface SlowKeyLimits {
  /** Derivations running at once (libuv's pool has 4 threads by default, shared with fs and dns). */
  readonly running: number
  /** Derivations waiting for one of those. */
  readonly waiting: number
  /** Derivations one client may have running or waiting. */
  readonly perClient: number
}

const SLOW_KEY_LIMITS: SlowKeyLimits = { running: 2, waiting: 16, perClient: 2 }

export interface SlowKeys {
  /**
   * PBKDF2-HMAC-SHA256 of `length` bytes, or undefined when the bounds are
   * reached (nothing was started). The promise never rejects: a failure
   * resolves to undefined.
   */
  derive(
    client: string | undefined,
    password: Buffer,
    salt: Buffer,
    iterations: number,
    length: number,
  ): Promise<Buffer | undefined> | undefined
}

/** A gate over PBKDF2 work with the given bounds. */
const slowKeys = (limits: SlowKeyLimits = SLOW_KEY_LIMITS): SlowKeys => {
  let running = 0
  const queue: (() => void)[] = []
  const perClient = new Map<string, number>()

  const release = (client: string | undefined) => {
    running--
    if (client !== undefined) {
      const left = (perClient.get(client) ?? 1) - 1
      if (left === 0) perClient.delete(client)
      else perClient.set(client, left)
    }
    queue.shift()?.()
  }

  return {
    derive(client, password, salt, iterations, length) {
      if (client !== undefined && (perClient.get(client) ?? 0) >= limits.perClient) return undefined
      if (running >= limits.running && queue.length >= limits.waiting) return undefined
      if (client !== undefined) perClient.set(client, (perClient.get(client) ?? 0) + 1)
      return new Promise((resolve) => {
        const start = () => {
          running++
          pbkdf2(password, salt, iterations, length, 'sha256', (error, key) => {
            release(client)
            resolve(error === null ? key : undefined)
          })
        }
        if (running < limits.running) start()
        else queue.push(start)
      })
    },
  }
}

/** One gate per process: the thread pool and the cores it runs on are the process's. */
export const processSlowKeys: SlowKeys = slowKeys()
