// Faults by address over time: sampled faults (each standing for `weight` faults) over bands for
// the regions they hit, coloured by kind (image, heap, stack, anonymous), so a leak's march through
// the heap or a thread's stack growth shows as a shape.
import { memo, useMemo, useState } from 'react'
import { ComposedChart, YAxis } from 'recharts'
import { REGION_CODES, type RegionCode } from '../../../src-common/contract/contract'
import { fmtCount, fmtSeconds } from '../../../src-common/model/format/format'
import { usePalette } from '../theme/ThemeContext'
import { bandY, bandsOf } from './bands'
import { PointCloud, type Dot } from './PointCloud'
import { CHART_MARGIN, TimeChart, selectionArea, timeAxis, type WatchChartProps } from './timeChart'

/** points drawn at most: SVG stays quick at a few updates a second */
export const MAX_DRAWN = 2_000
const Y_AXIS_WIDTH = 150
/** minimum height of a band for its name to be printed on the axis */
const LABEL_PX = 13

// Memoized: while paused, the view's live totals re-render it with the same props.
export const AddressChart = memo(function AddressChart({ store, version, view, selection, onSelect }: WatchChartProps) {
  const palette = usePalette()
  const [hover, setHover] = useState<{ dot: Dot; x: number; y: number } | null>(null)
  const bands = useMemo(() => bandsOf(store.regions), [store, store.regions])
  const { byKind, outside } = useMemo(() => {
    const byKind = new Map<RegionCode, Dot[]>()
    let outside = 0
    for (const p of store.pointsIn(view.from, view.to, MAX_DRAWN)) {
      const y = bandY(bands, p.va)
      if (Number.isNaN(y)) {
        outside++
        continue
      }
      const region = REGION_CODES[p.region] ?? 'unknown'
      const dots = byKind.get(region) ?? []
      dots.push({ t: p.t, y, va: p.va, weight: p.weight, region })
      byKind.set(region, dots)
    }
    return { byKind, outside }
  }, [store, version, view.from, view.to, bands])

  const legend = (
    <ul className="legend" data-testid="address-legend">
      {[...byKind.keys()].map((kind) => (
        <li key={kind}>
          <span className="swatch round" style={{ background: palette.region[kind] }} />
          {kind}
        </li>
      ))}
      {outside > 0 && <li className="muted">{fmtCount(outside)} sampled {outside === 1 ? 'fault' : 'faults'} outside the regions read so far</li>}
    </ul>
  )
  return (
    <TimeChart title="Faults by address" testId="address-chart" yAxisWidth={Y_AXIS_WIDTH} view={view} legend={legend} onSelect={onSelect}>
      {({ width, height }) => {
        const every = Math.max(1, Math.ceil((bands.length * LABEL_PX) / Math.max(1, height - 30)))
        const ticks = bands.map((_, i) => i + 0.5).filter((_, i) => i % every === 0)
        const yMax = Math.max(1, bands.length)
        return (
          <>
            <ComposedChart width={width} height={height} margin={CHART_MARGIN}>
              {timeAxis(view, palette)}
              <YAxis
                type="number"
                domain={[0, yMax]}
                allowDataOverflow
                ticks={ticks}
                interval={0}
                width={Y_AXIS_WIDTH}
                stroke={palette.axis}
                tick={{ fontSize: 11, fill: palette.axis }}
                tickFormatter={(y: number) => bands[Math.floor(y)]?.label ?? ''}
              />
              <PointCloud dots={byKind} bands={bands} from={view.from} to={view.to} yMax={yMax} palette={palette} onHover={setHover} />
              {selectionArea(selection, palette)}
            </ComposedChart>
            {hover && (
              <div className="chart-tooltip floating" style={{ left: hover.x + 12, top: hover.y + 8 }} data-testid="address-tooltip">
                <div className="mono">0x{hover.dot.va.toString(16)}</div>
                <div>
                  {bands[Math.floor(hover.dot.y)]?.label} · {hover.dot.region} · {fmtSeconds(hover.dot.t)}
                </div>
                <div className="muted">≈ {fmtCount(Math.round(hover.dot.weight))} faults</div>
              </div>
            )}
          </>
        )
      }}
    </TimeChart>
  )
})
