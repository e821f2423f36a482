import { do_not_optimize, measure } from 'mitata'

// Interleaved sampling shared by the micro-benchmarks.
// One sample per call (no batching), so p75 / p99 are per operation. The cases run
// interleaved, ROUNDS times each, and their samples are pooled: a machine whose load
// changes during the run then colours every contender alike instead of whichever ran
// at the bad moment. p50 is printed too: on a shared machine it is the steadier figure.
export const ROUNDS = 6
const OPTIONS = { batch_threshold: 0, min_cpu_time: 250 * 1e6, min_samples: 100 }

export interface Summary {
  readonly n: number
  readonly mean: number
  readonly p50: number
  readonly p75: number
  readonly p99: number
}

export const summarize = (samples: number[]): Summary => {
  const sorted = samples.sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN
  const mean = sorted.reduce((a, v) => a + v, 0) / sorted.length
  return { n: sorted.length, mean, p50: at(0.5), p75: at(0.75), p99: at(0.99) }
}

const warm = async (fn: () => unknown, iterations: number): Promise<void> => {
  for (let i = 0; i < iterations; i++) do_not_optimize(await fn())
}

export const us = (ns: number): string => (ns / 1000).toFixed(1)

/** Measures named cases interleaved over ROUNDS rounds; returns pooled per-call samples. */
export const measureInterleaved = async (
  cases: readonly (readonly [string, () => unknown, number])[],
): Promise<Map<string, Summary>> => {
  for (const [, fn, iterations] of cases) await warm(fn, iterations)
  const pooled = new Map<string, number[]>(cases.map(([name]) => [name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of cases) {
      globalThis.gc?.()
      const stats = await measure(fn, OPTIONS)
      // A loop, not push(...samples): a spread of ~100k samples overflows the stack.
      const into = pooled.get(name)
      for (const sample of stats.samples) into?.push(sample)
    }
  }
  return new Map([...pooled].map(([name, samples]) => [name, summarize(samples)]))
}
