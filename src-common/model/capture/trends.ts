// Trend flags: what grows steadily. A series is steady when it rises in most of its consecutive
// steps and its least-squares slope is positive; it is flagged when, in addition, it grew by more than
// noise for its kind (a few blocks or KiB come and go in any process). Pure: the renderer uses it too.

export interface SeriesPoint {
  /** ms since the first sample */
  t: number
  v: number
}

export interface Trend {
  first: number
  last: number
  delta: number
  /** least-squares slope, per minute */
  slopePerMinute: number
  /** steps (consecutive pairs) that rose, of all steps */
  rising: number
  steps: number
  steady: boolean
}

export type SeriesUnit = 'bytes' | 'count'

/** The least growth that is worth a flag, by what is counted. */
export const MIN_GROWTH = { bytes: 64 * 1024, blocks: 16, threads: 2, modules: 2 } as const
export type GrowthKind = keyof typeof MIN_GROWTH

export function trendOf(points: readonly SeriesPoint[]): Trend {
  const n = points.length
  const first = n ? points[0].v : 0
  const last = n ? points[n - 1].v : 0
  let rising = 0
  for (let i = 1; i < n; i++) if (points[i].v > points[i - 1].v) rising++
  const steps = Math.max(0, n - 1)
  const slopePerMinute = slope(points) * 60_000
  return { first, last, delta: last - first, slopePerMinute, rising, steps, steady: steps >= 2 && rising * 2 > steps && slopePerMinute > 0 }
}

function slope(points: readonly SeriesPoint[]): number {
  const n = points.length
  if (n < 2) return 0
  let st = 0
  let sv = 0
  for (const p of points) {
    st += p.t
    sv += p.v
  }
  const mt = st / n
  const mv = sv / n
  let num = 0
  let den = 0
  for (const p of points) {
    num += (p.t - mt) * (p.v - mv)
    den += (p.t - mt) ** 2
  }
  return den === 0 ? 0 : num / den
}

export const isFlagged = (trend: Trend, kind: GrowthKind): boolean => trend.steady && trend.delta >= MIN_GROWTH[kind]
