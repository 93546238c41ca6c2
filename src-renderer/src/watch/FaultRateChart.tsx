// Faults per second, stacked by module, over the view window; lost records as a red line when any.
import { memo, useMemo, useState } from 'react'
import { CartesianGrid, ComposedChart, YAxis } from 'recharts'
import { fmtCompact, fmtCount, fmtSeconds } from '../../../src-common/model/format/format'
import { usePalette } from '../theme/ThemeContext'
import { OTHER, rateSeries } from './rateSeries'
import { StackedAreas, niceMax } from './StackedAreas'
import { CHART_MARGIN, TimeChart, selectionArea, timeAxis, type WatchChartProps } from './timeChart'

const Y_AXIS_WIDTH = 56
const Y_TICKS = 4

// Memoized: while paused, the view's live totals re-render it with the same props.
export const FaultRateChart = memo(function FaultRateChart({ store, version, view, selection, onSelect }: WatchChartProps) {
  const palette = usePalette()
  const [hover, setHover] = useState<{ row: Record<string, number>; x: number; y: number } | null>(null)
  const data = useMemo(() => rateSeries(store, view.from, view.to), [store, version, view.from, view.to])
  const yMax = useMemo(() => niceMax(Math.max(...data.rows.map((r) => data.series.reduce((s, k) => s + r[k.key], 0)), ...data.rows.map((r) => r.lost))), [data])
  const color = (key: string, k: number) => (key === OTHER ? palette.other : palette.series[k % palette.series.length])
  const areas = data.series.map((s, k) => ({ key: s.key, color: color(s.key, k) }))
  const legend = (
    <ul className="legend" data-testid="rate-legend">
      {data.series.map((s, k) => (
        <li key={s.key} data-module={s.name}>
          <span className="swatch" style={{ background: color(s.key, k) }} />
          {s.name} <span className="muted num">{fmtCount(s.total)}</span>
        </li>
      ))}
      {data.lost > 0 && (
        <li>
          <span className="swatch" style={{ background: palette.lost }} />
          lost <span className="muted num">{fmtCount(data.lost)}</span>
        </li>
      )}
    </ul>
  )
  return (
    <TimeChart title="Faults per second by module" testId="rate-chart" yAxisWidth={Y_AXIS_WIDTH} view={view} legend={legend} onSelect={onSelect}>
      {({ width, height }) => (
        <>
          <ComposedChart width={width} height={height} margin={CHART_MARGIN}>
            <CartesianGrid stroke={palette.grid} vertical={false} />
            {timeAxis(view, palette)}
            <YAxis
              type="number"
              domain={[0, yMax]}
              allowDataOverflow
              ticks={Array.from({ length: Y_TICKS + 1 }, (_, i) => (yMax * i) / Y_TICKS)}
              interval={0}
              width={Y_AXIS_WIDTH}
              stroke={palette.axis}
              tick={{ fontSize: 11, fill: palette.axis }}
              tickFormatter={(v: number) => `${fmtCompact(v)}/s`}
            />
            <StackedAreas rows={data.rows} series={areas} bucketMs={store.bucketMs} from={view.from} to={view.to} yMax={yMax} lostColor={palette.lost} onHover={setHover} />
            {selectionArea(selection, palette)}
          </ComposedChart>
          {hover && (
            <div className="chart-tooltip floating" style={{ left: hover.x + 12, top: hover.y + 8 }} data-testid="rate-tooltip">
              <div>{fmtSeconds(hover.row.t)}</div>
              {data.series.map(
                (s, k) =>
                  hover.row[s.key] > 0 && (
                    <div key={s.key}>
                      <span className="swatch" style={{ background: color(s.key, k) }} /> {s.name}: {fmtCount(Math.round(hover.row[s.key]))}/s
                    </div>
                  )
              )}
              {hover.row.lost > 0 && <div className="warn">lost: {fmtCount(Math.round(hover.row.lost))}/s</div>}
            </div>
          )}
        </>
      )}
    </TimeChart>
  )
})
