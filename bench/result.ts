// One benchmark figure against its baseline, as written to bench-results.json.
export interface BenchResult {
  name: string
  value: number
  unit: string
  baseline: string
  baselineValue: number
  ratio: number
  target: string
  /** whether the ratio meets the target; null where the figure is only reported */
  met: boolean | null
  notes?: string
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

export async function timeRuns(runs: number, fn: () => unknown): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn()
    times.push(performance.now() - t0)
  }
  return times
}
