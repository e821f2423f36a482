import { drop, type Space, spaceSize } from './space.js'

/** Entries the timer's sweep checks before yielding to the event loop. */
const BATCH = 10_000

// A generator so the timer can spread one sweep over many event-loop turns: a
// mass expiry of a million records would otherwise stall every request for
// about a second. Each map is walked for at most the entries it held when the
// walk began, so writes arriving meanwhile cannot keep it going forever.
/** Drops what expired at `now` (epoch seconds), yielding every `batch` entries; returns how many went. */
function* sweepSteps(spaces: Map<string, Space>, now: number, batch: number): Generator<void, number> {
  let dropped = 0
  let seen = 0
  const pause = (): boolean => ++seen % batch === 0
  for (const [name, s] of spaces) {
    let left = s.records.size
    for (const [key, entry] of s.records) {
      if (left-- === 0) break
      if (entry.expiresAt <= now && drop(s, key)) dropped++
      if (pause()) yield
    }
    left = s.denied.size
    for (const [key, until] of s.denied) {
      if (left-- === 0) break
      if (until <= now && s.denied.delete(key)) dropped++
      if (pause()) yield
    }
    left = s.notBefore.size
    for (const [id, mark] of s.notBefore) {
      if (left-- === 0) break
      if (mark.until <= now && s.notBefore.delete(id)) dropped++
      if (pause()) yield
    }
    if (spaceSize(s) === 0 && spaces.get(name) === s) spaces.delete(name)
  }
  return dropped
}

/** Sweeps in one go; returns how many records and marks went. */
export function sweepAll(spaces: Map<string, Space>, now: number): number {
  const steps = sweepSteps(spaces, now, Number.POSITIVE_INFINITY)
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
  }
}

/** What the timer needs of a store; held weakly so a store dropped without close() can be collected. */
export interface Sweepable {
  readonly spaces: Map<string, Space>
  running: Generator<void, number> | undefined
}

/** Starts the unref'd sweep timer; it stops itself once the store is collected. */
export function startSweeper(target: WeakRef<Sweepable>, intervalMs: number, clock: () => number): NodeJS.Timeout {
  const step = (): void => {
    const state = target.deref()
    if (state?.running === undefined) return
    if (state.running.next().done === true) state.running = undefined
    else setImmediate(step)
  }
  const timer = setInterval(() => {
    const state = target.deref()
    if (state === undefined) clearInterval(timer)
    else if (state.running === undefined) {
      state.running = sweepSteps(state.spaces, clock() / 1000, BATCH)
      step()
    }
  }, intervalMs)
  timer.unref()
  return timer
}
