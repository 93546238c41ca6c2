// Faults per second, stacked by module, over the view window; lost records as a red line when any.
import { memo, useMemo } from 'react'
import { Area, CartesianGrid, ComposedChart, Line, Tooltip, YAxis } from 'recharts'
import { formatCompact, formatCount, formatSeconds } from '../processes/format'
import { usePalette } from '../theme/ThemeContext'
import { rateSeries } from './rateSeries'
import { CHART_MARGIN, TimeChart, selectionArea, timeAxis, type TimeRange } from './timeChart'
import type { WatchStore } from './watchStore'

const Y_AXIS_WIDTH = 56

interface FaultRateChartProps {
  store: WatchStore
  version: number
  view: TimeRange
  selection: TimeRange | null
  onSelect(range: TimeRange): void
}

// Memoized: while paused, the view's live totals re-render it with the same props.
export const FaultRateChart = memo(function FaultRateChart({ store, version, view, selection, onSelect }: FaultRateChartProps) {
  const palette = usePalette()
  const data = useMemo(() => rateSeries(store, view.from, view.to), [store, version, view.from, view.to])
  const color = (k: number) => palette.series[k % palette.series.length]
  const legend = (
    <ul className="legend" data-testid="rate-legend">
      {data.series.map((s, k) => (
        <li key={s.key} data-module={s.name}>
          <span className="swatch" style={{ background: s.key === 'other' ? palette.other : color(k) }} />
          {s.name} <span className="muted num">{formatCount(s.total)}</span>
        </li>
      ))}
      {data.lost > 0 && (
        <li>
          <span className="swatch" style={{ background: palette.lost }} />
          lost <span className="muted num">{formatCount(data.lost)}</span>
        </li>
      )}
    </ul>
  )
  return (
    <TimeChart title="Faults per second by module" testId="rate-chart" yAxisWidth={Y_AXIS_WIDTH} view={view} legend={legend} onSelect={onSelect}>
      {({ width, height }) => (
        <ComposedChart width={width} height={height} data={data.rows} margin={CHART_MARGIN}>
          <CartesianGrid stroke={palette.grid} vertical={false} />
          {timeAxis(view, palette)}
          <YAxis width={Y_AXIS_WIDTH} stroke={palette.axis} tick={{ fontSize: 11, fill: palette.axis }} tickFormatter={(v: number) => `${formatCompact(v)}/s`} />
          <Tooltip
            isAnimationActive={false}
            labelFormatter={(t) => formatSeconds(Number(t))}
            formatter={(v, key) => [`${formatCount(Math.round(Number(v)))}/s`, data.series.find((s) => s.key === key)?.name ?? String(key)]}
          />
          {data.series.map((s, k) => (
            <Area
              key={s.key}
              dataKey={s.key}
              stackId="faults"
              type="stepAfter"
              stroke="none"
              fill={s.key === 'other' ? palette.other : color(k)}
              fillOpacity={0.75}
              isAnimationActive={false}
              dot={false}
            />
          ))}
          {data.lost > 0 && <Line dataKey="lost" type="stepAfter" stroke={palette.lost} strokeWidth={1.5} dot={false} isAnimationActive={false} />}
          {selectionArea(selection, palette)}
        </ComposedChart>
      )}
    </TimeChart>
  )
})
