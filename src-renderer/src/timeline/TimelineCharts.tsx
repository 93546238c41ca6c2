// A timeline's series over elapsed time, a chart per kind of number (memory, threads, modules, heap
// blocks, the busiest size classes). A series that grows steadily is drawn heavier and flagged in
// its legend, and listed above the charts with its slope.
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts'
import { formatElapsed } from '../../../src-common/model/capture/duration'
import { flaggedSeries, timelineSeries, type Series } from '../../../src-common/model/capture/series'
import type { TimelineSample } from '../../../src-common/contract/timelineTypes'
import { fmtQuantity, fmtSigned } from '../../../src-common/model/format/format'
import { extent, niceTicks, timeTicks } from '../../../src-common/model/report/svgChart'
import { useElementSize } from '../common/useElementSize'
import { usePalette } from '../theme/ThemeContext'

const SIZE_CLASS_LINES = 5

interface Group {
  key: string
  title: string
  series: Series[]
}

function groups(all: Series[]): Group[] {
  const pick = (...keys: string[]) => all.filter((s) => keys.includes(s.key))
  const classes = all.filter((s) => s.sizeClass)
  const busiest = [...flaggedSeries(classes), ...classes.filter((s) => !s.flagged).sort((a, b) => b.trend.delta - a.trend.delta)].slice(0, SIZE_CLASS_LINES)
  return [
    { key: 'memory', title: 'Memory', series: pick('privateBytes', 'workingSet', 'heapUsedBytes') },
    { key: 'heap-blocks', title: 'Heap blocks in use', series: pick('heapUsedBlocks') },
    { key: 'size-classes', title: 'Heap blocks per size class (most growth)', series: busiest },
    { key: 'threads', title: 'Threads', series: pick('threads') },
    { key: 'modules', title: 'Modules', series: pick('modules') }
  ].filter((g) => g.series.length > 0)
}

function SeriesChart({ group }: { group: Group }) {
  const palette = usePalette()
  const [ref, size] = useElementSize<HTMLDivElement>({ width: 460, height: 190 })
  const unit = group.series[0].unit
  // One row per sample time; every series of a timeline shares them.
  const rows = group.series[0].points.map((p, i) => Object.fromEntries([['t', p.t], ...group.series.map((s) => [s.key, s.points[i]?.v ?? null])]))
  // The report's round ticks (binary units for bytes), so the app and the exported charts agree.
  const yTicks = niceTicks(...extent(group.series.flatMap((s) => s.points.map((p) => p.v))), unit)
  const xTicks = timeTicks(rows.length ? Number(rows[rows.length - 1].t) : 0)
  return (
    <figure className="wb-chart" data-testid="timeline-chart" data-chart={group.key}>
      <figcaption>{group.title}</figcaption>
      <div className="wb-chart-plot" ref={ref}>
        <LineChart width={size.width} height={size.height} data={rows} margin={{ top: 6, right: 12, bottom: 0, left: 4 }}>
          <CartesianGrid stroke={palette.grid} vertical={false} />
          <XAxis dataKey="t" type="number" domain={[0, xTicks[xTicks.length - 1]]} ticks={xTicks} tickFormatter={formatElapsed} stroke={palette.axis} tick={{ fontSize: 10, fill: palette.axis }} height={18} />
          <YAxis width={64} domain={[yTicks[0], yTicks[yTicks.length - 1]]} ticks={yTicks} tickFormatter={(v: number) => fmtQuantity(v, unit)} stroke={palette.axis} tick={{ fontSize: 10, fill: palette.axis }} />
          <Tooltip isAnimationActive={false} labelFormatter={(t) => `at ${formatElapsed(Number(t))}`} formatter={(v) => fmtQuantity(Number(v), unit)} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {group.series.map((s, i) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.flagged ? `${s.label} ▲ grows steadily` : s.label}
              stroke={palette.series[i % palette.series.length]}
              strokeWidth={s.flagged ? 3 : 1.5}
              dot={rows.length <= 40}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </div>
    </figure>
  )
}

export function TrendFlags({ series }: { series: Series[] }) {
  const flagged = flaggedSeries(series)
  if (flagged.length === 0) return <p className="wb-ok" data-testid="trend-none">Nothing grows steadily so far.</p>
  return (
    <ul className="wb-findings" data-testid="trend-flags">
      {flagged.map((s) => (
        <li key={s.key} className="warn" data-testid="trend-flag" data-series={s.key}>
          <strong>{s.label}</strong> grows steadily: {fmtQuantity(s.trend.first, s.unit)} → {fmtQuantity(s.trend.last, s.unit)} ({fmtSigned(s.trend.delta, s.unit)}, rising in {s.trend.rising}{' '}
          of {s.trend.steps} steps, {fmtSigned(Math.round(s.trend.slopePerMinute), s.unit)}/min)
        </li>
      ))}
    </ul>
  )
}

export function TimelineCharts({ samples }: { samples: readonly TimelineSample[] }) {
  const series = timelineSeries({ samples: [...samples] })
  return (
    <div className="wb-timeline">
      <TrendFlags series={series} />
      <div className="wb-charts">
        {groups(series).map((g) => (
          <SeriesChart key={g.key} group={g} />
        ))}
      </div>
    </div>
  )
}
