/**
 * A per-key queue: saves of the same session within one process run one
 * after another, so that compare-and-set conflicts only arise between
 * processes and the bounded retries are not spent on local contention.
 * Each key has a scratch value that lives while its queue is not empty, so
 * one save can tell the next where the session now lives.
 */
export const keyedMutex = <S>() => {
  const queues = new Map<string, { tail: Promise<unknown>; scratch: { value?: S } }>()
  return <A>(key: string, task: (scratch: { value?: S }) => Promise<A>): Promise<A> => {
    const queue = queues.get(key) ?? { tail: Promise.resolve(), scratch: {} }
    const run = queue.tail.then(
      () => task(queue.scratch),
      () => task(queue.scratch),
    )
    const tail = run.then(
      () => undefined,
      () => undefined,
    )
    queue.tail = tail
    queues.set(key, queue)
    void tail.then(() => {
      if (queue.tail === tail) queues.delete(key)
    })
    return run
  }
}
