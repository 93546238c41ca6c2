// The sampled faults of the address chart and the bands of the regions they hit, drawn inside the
// recharts chart's plot area: one SVG path per region kind (a small square per point) instead of one
// component per point, so thousands of points redraw in a few milliseconds. The axes have fixed domains (allowDataOverflow), so the
// mapping to pixels is linear over the plot area. Hover finds the nearest point.
import { useState, type MouseEvent } from 'react'
import { usePlotArea } from 'recharts'
import type { RegionCode } from '../../../src-common/contract/contract'
import type { Palette } from '../theme/palette'
import type { Band } from './bands'

export interface Dot {
  t: number
  y: number
  va: number
  weight: number
  region: RegionCode
}

const SIZE = 3
/** how close (px) the pointer must be to a point for its tooltip */
const HOVER_PX = 8

interface PointCloudProps {
  dots: ReadonlyMap<RegionCode, readonly Dot[]>
  /** band i spans y in [i, i + 1) */
  bands: readonly Band[]
  /** the x axis domain (ms) and the top of the y axis (bands) */
  from: number
  to: number
  yMax: number
  palette: Palette
  onHover(hover: { dot: Dot; x: number; y: number } | null): void
}

export function PointCloud({ dots, bands, from, to, yMax, palette, onHover }: PointCloudProps) {
  const area = usePlotArea()
  const [hovered, setHovered] = useState<{ x: number; y: number } | null>(null)
  if (!area) return null
  const place = (d: Dot) => [area.x + ((d.t - from) / (to - from)) * area.width, area.y + area.height - (d.y / yMax) * area.height] as const
  const onMove = (e: MouseEvent<SVGRectElement>) => {
    const box = e.currentTarget.getBoundingClientRect()
    const px = area.x + e.clientX - box.left
    const py = area.y + e.clientY - box.top
    let best: { dot: Dot; x: number; y: number; d: number } | null = null
    for (const list of dots.values())
      for (const dot of list) {
        const [dx, dy] = place(dot)
        const d = Math.hypot(dx - px, dy - py)
        if (d <= HOVER_PX && (!best || d < best.d)) best = { dot, x: dx, y: dy, d }
      }
    setHovered(best && { x: best.x, y: best.y })
    onHover(best)
  }
  return (
    <g className="point-cloud">
      {bands.map((b, i) => {
        const [top, bottom] = [area.y + area.height - ((i + 1) / yMax) * area.height, area.y + area.height - (i / yMax) * area.height]
        return <rect key={b.start} x={area.x} y={top} width={area.width} height={bottom - top} fill={palette.region[b.kind]} fillOpacity={i % 2 ? 0.05 : 0.1} />
      })}
      {[...dots].map(([kind, list]) => (
        <path
          key={kind}
          data-testid="point-cloud"
          data-region={kind}
          data-count={list.length}
          fill={palette.region[kind]}
          d={list.map((dot) => {
            const [px, py] = place(dot)
            return `M${(px - SIZE / 2).toFixed(1)} ${(py - SIZE / 2).toFixed(1)}h${SIZE}v${SIZE}h-${SIZE}z`
          }).join('')}
        />
      ))}
      {hovered && <circle cx={hovered.x} cy={hovered.y} r={5} fill="none" stroke={palette.axis} strokeWidth={1.5} />}
      <rect
        x={area.x}
        y={area.y}
        width={area.width}
        height={area.height}
        fill="transparent"
        onMouseMove={onMove}
        onMouseLeave={() => {
          setHovered(null)
          onHover(null)
        }}
      />
    </g>
  )
}
