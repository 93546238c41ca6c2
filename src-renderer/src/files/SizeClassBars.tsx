// Heap blocks per size class as bars: one set (a walk) or two side by side (A and B of a compare).
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts'
import type { HistogramBucket } from '../../../src-common/contract/contract'
import { shortClass } from '../../../src-common/model/capture/series'
import { fmtCount } from '../../../src-common/model/format/format'
import { extent, niceTicks } from '../../../src-common/model/report/svgChart'
import { useElementSize } from '../common/useElementSize'
import { usePalette } from '../theme/ThemeContext'

interface SizeClassBarsProps {
  title: string
  /** one histogram per set, all over the same classes */
  sets: { label: string; histogram: readonly HistogramBucket[] }[]
  testId: string
}

export function SizeClassBars({ title, sets, testId }: SizeClassBarsProps) {
  const palette = usePalette()
  const [ref, size] = useElementSize<HTMLDivElement>({ width: 460, height: 190 })
  const classes = sets[0]?.histogram ?? []
  const used = classes.map((_, i) => sets.some((s) => (s.histogram[i]?.count ?? 0) > 0))
  const rows = classes.flatMap((c, i) => (used[i] ? [Object.fromEntries([['label', shortClass(c.maxSize)], ...sets.map((s, k) => [`s${k}`, s.histogram[i]?.count ?? 0])])] : []))
  const yTicks = niceTicks(0, extent(sets.flatMap((s) => s.histogram.map((b) => b.count)))[1], 'count')
  return (
    <figure className="wb-chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div className="wb-chart-plot" ref={ref}>
        <BarChart width={size.width} height={size.height} data={rows} margin={{ top: 6, right: 12, bottom: 0, left: 4 }}>
          <CartesianGrid stroke={palette.grid} vertical={false} />
          <XAxis dataKey="label" stroke={palette.axis} tick={{ fontSize: 10, fill: palette.axis }} height={18} interval={0} />
          <YAxis width={56} domain={[0, yTicks[yTicks.length - 1]]} ticks={yTicks} tickFormatter={fmtCount} stroke={palette.axis} tick={{ fontSize: 10, fill: palette.axis }} />
          <Tooltip isAnimationActive={false} formatter={(v) => `${fmtCount(Number(v))} blocks`} />
          {sets.length > 1 && <Legend wrapperStyle={{ fontSize: 11 }} />}
          {sets.map((s, k) => (
            <Bar key={s.label} dataKey={`s${k}`} name={s.label} fill={sets.length > 1 && k === 0 ? palette.other : palette.series[0]} isAnimationActive={false} />
          ))}
        </BarChart>
      </div>
    </figure>
  )
}
