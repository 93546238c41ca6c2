// The rate chart's stacked step areas, drawn inside the recharts chart's plot area as one SVG path
// per series: recharts' own Area re-derives every point through its selectors on each update, which
// at four updates a second cost more than the frame budget. Axes have fixed domains, so the mapping is
// linear over the plot area. Hover reports the bucket under the pointer.
import type { MouseEvent } from 'react'
import { usePlotArea } from 'recharts'

export interface AreaSeries {
  key: string
  color: string
}

interface StackedAreasProps {
  /** one per bucket: t (ms, bucket start) and a value per series key, plus `lost` */
  rows: readonly Record<string, number>[]
  series: readonly AreaSeries[]
  bucketMs: number
  from: number
  to: number
  yMax: number
  lostColor: string
  onHover(hover: { row: Record<string, number>; x: number; y: number } | null): void
}

export function StackedAreas({ rows, series, bucketMs, from, to, yMax, lostColor, onHover }: StackedAreasProps) {
  const area = usePlotArea()
  if (!area || rows.length === 0) return null
  const x = (t: number) => (area.x + ((Math.min(Math.max(t, from), to) - from) / (to - from)) * area.width).toFixed(1)
  const y = (v: number) => (area.y + area.height - (Math.min(v, yMax) / yMax) * area.height).toFixed(1)
  /** A step outline through the given height per row, left to right (or right to left). */
  const steps = (height: (i: number) => number, backwards: boolean) => {
    const out: string[] = []
    for (let n = 0; n < rows.length; n++) {
      const i = backwards ? rows.length - 1 - n : n
      const [a, b] = [rows[i].t, rows[i].t + bucketMs]
      const h = y(height(i))
      out.push(backwards ? `${x(b)} ${h}L${x(a)} ${h}` : `${x(a)} ${h}L${x(b)} ${h}`)
    }
    return out.join('L')
  }
  const base = new Float64Array(rows.length)
  const paths = series.map((s) => {
    const below = Float64Array.from(base)
    rows.forEach((row, i) => (base[i] += row[s.key]))
    const top = Float64Array.from(base)
    return <path key={s.key} data-testid="rate-area" data-series={s.key} d={`M${steps((i) => top[i], false)}L${steps((i) => below[i], true)}Z`} fill={s.color} fillOpacity={0.8} />
  })
  const anyLost = rows.some((r) => r.lost > 0)
  const onMove = (e: MouseEvent<SVGRectElement>) => {
    const box = e.currentTarget.getBoundingClientRect()
    const t = from + ((e.clientX - box.left) / box.width) * (to - from)
    const row = rows.find((r) => t >= r.t && t < r.t + bucketMs)
    onHover(row ? { row, x: area.x + e.clientX - box.left, y: area.y + e.clientY - box.top } : null)
  }
  return (
    <g className="stacked-areas">
      {paths}
      {anyLost && <path d={`M${steps((i) => rows[i].lost, false)}`} fill="none" stroke={lostColor} strokeWidth={1.5} />}
      <rect x={area.x} y={area.y} width={area.width} height={area.height} fill="transparent" onMouseMove={onMove} onMouseLeave={() => onHover(null)} />
    </g>
  )
}

/** A round top for a rate axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  return ([1, 2, 5, 10].find((m) => m * power >= max) ?? 10) * power
}
