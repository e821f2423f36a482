/**
 * A per-key queue: saves of the same session within one process run one
 * after another, so that compare-and-set conflicts only arise between
 * processes and the bounded retries are not spent on local contention.
 */
export const keyedMutex = () => {
  const tails = new Map<string, Promise<unknown>>()
  return <A>(key: string, task: () => Promise<A>): Promise<A> => {
    const previous = tails.get(key) ?? Promise.resolve()
    const run = previous.then(task, task)
    const tail = run.then(
      () => undefined,
      () => undefined,
    )
    tails.set(key, tail)
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return run
  }
}
