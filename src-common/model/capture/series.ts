// A timeline as series over time (one per number sampled, one per heap size class), each with its
// trend: what the charts draw, what the trend flags and the compare's suspects read. Pure.
import { isFlagged, trendOf, type GrowthKind, type SeriesPoint, type SeriesUnit, type Trend } from './trends'
import type { TimelineDoc, TimelineSample } from '../../contract/timelineTypes'

export interface Series {
  key: string
  label: string
  unit: SeriesUnit
  growth: GrowthKind
  /** a heap size class: its range, for the charts that group them */
  sizeClass?: { minSize: number; maxSize: number }
  points: SeriesPoint[]
  trend: Trend
  flagged: boolean
}

export const sizeClassLabel = (minSize: number, maxSize: number): string => `${minSize}–${maxSize} B`

/** "≤64", "≤2K": the short label of a power-of-two size class, for chart axes. */
export function shortClass(maxSize: number): string {
  const k = maxSize / 1024
  return maxSize < 1024 ? `≤${maxSize}` : k < 1024 ? `≤${Math.round(k)}K` : `≤${Math.round(k / 1024)}M`
}

function series(key: string, label: string, unit: SeriesUnit, growth: GrowthKind, points: SeriesPoint[]): Series {
  const trend = trendOf(points)
  return { key, label, unit, growth, points, trend, flagged: isFlagged(trend, growth) }
}

export function timelineSeries(doc: Pick<TimelineDoc, 'samples'>): Series[] {
  const t0 = doc.samples.length ? Date.parse(doc.samples[0].takenAt) : 0
  const t = (s: TimelineSample): number => Date.parse(s.takenAt) - t0
  const of = (pick: (s: TimelineSample) => number | null | undefined): SeriesPoint[] =>
    doc.samples.flatMap((s) => {
      const v = pick(s)
      return v === null || v === undefined ? [] : [{ t: t(s), v }]
    })
  const out = [
    series('privateBytes', 'Private bytes', 'bytes', 'bytes', of((s) => s.privateBytes)),
    series('workingSet', 'Working set', 'bytes', 'bytes', of((s) => s.workingSetBytes)),
    series('heapUsedBytes', 'Heap bytes in use', 'bytes', 'bytes', of((s) => s.heap?.usedBytes)),
    series('heapUsedBlocks', 'Heap blocks in use', 'count', 'blocks', of((s) => s.heap?.usedBlocks)),
    series('threads', 'Threads', 'count', 'threads', of((s) => s.threadCount)),
    series('modules', 'Modules', 'count', 'modules', of((s) => s.moduleCount))
  ].filter((s) => s.points.length > 0)

  const classes = new Map<string, { minSize: number; maxSize: number }>()
  for (const s of doc.samples) for (const b of s.heap?.histogram ?? []) if (b.count) classes.set(`${b.minSize}-${b.maxSize}`, b)
  for (const c of [...classes.values()].sort((a, b) => a.minSize - b.minSize)) {
    const count = (s: TimelineSample) => (s.heap ? (s.heap.histogram.find((b) => b.minSize === c.minSize && b.maxSize === c.maxSize)?.count ?? 0) : null)
    const label = sizeClassLabel(c.minSize, c.maxSize)
    out.push({ ...series(`class:${c.minSize}-${c.maxSize}`, `Blocks of ${label}`, 'count', 'blocks', of(count)), sizeClass: { minSize: c.minSize, maxSize: c.maxSize } })
  }
  return out
}

/** Flagged series first, most growth per minute (relative to where it started) first. */
export function flaggedSeries(all: readonly Series[]): Series[] {
  const rate = (s: Series) => s.trend.slopePerMinute / Math.max(1, Math.abs(s.trend.first))
  return all.filter((s) => s.flagged).sort((a, b) => rate(b) - rate(a))
}
