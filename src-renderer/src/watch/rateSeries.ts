// Faults per second by module over a time window, as rows a stacked chart draws: the modules with
// the most faults in the window get a series each, the rest share "other". Empty buckets are rows
// of zeros, so the chart drops to zero instead of bridging a quiet stretch.
import type { WatchStore } from './watchStore'

export const MAX_SERIES = 6
export const OTHER = 'other'

export interface RateSeries {
  /** one per bucket: t (ms) and faults/s per series key, plus lost/s */
  rows: Record<string, number>[]
  series: { key: string; name: string; total: number }[]
  lost: number
}

export function rateSeries(store: WatchStore, from: number, to: number): RateSeries {
  const buckets = store.bucketsIn(from, to)
  const totals = new Map<number, number>()
  let lost = 0
  for (const b of buckets) {
    lost += b.lost
    for (const [id, n] of b.modules) totals.set(id, (totals.get(id) ?? 0) + n)
  }
  const ranked = [...totals].sort((a, b) => b[1] - a[1])
  const shown = ranked.slice(0, MAX_SERIES)
  const key = new Map(shown.map(([id], k) => [id, `s${k}`]))
  const series = shown.map(([id, total], k) => ({ key: `s${k}`, name: store.moduleNames[id] ?? `module ${id}`, total }))
  const rest = ranked.slice(MAX_SERIES).reduce((s, [, n]) => s + n, 0)
  if (rest > 0) series.push({ key: OTHER, name: 'other modules', total: rest })

  const perSecond = 1000 / store.bucketMs
  const byIndex = new Map(buckets.map((b) => [b.i, b]))
  const rows: Record<string, number>[] = []
  for (let i = Math.floor(from / store.bucketMs); i * store.bucketMs < to; i++) {
    const row: Record<string, number> = { t: i * store.bucketMs, lost: 0 }
    for (const s of series) row[s.key] = 0
    const b = byIndex.get(i)
    if (b) {
      for (const [id, n] of b.modules) {
        const k = key.get(id) ?? OTHER
        row[k] += n * perSecond
      }
      row.lost = b.lost * perSecond
    }
    rows.push(row)
  }
  return { rows, series, lost }
}
