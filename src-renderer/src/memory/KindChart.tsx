// The totals by kind as stacked bars: resident, private and swapped bytes, each bar split by kind.
import { memo } from 'react'
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts'
import { MEMORY_KINDS, type MemoryKindTotal } from '../../../src-common/contract/contract'
import { fmtBytes } from '../../../src-common/model/format/format'
import { useElementSize } from '../common/useElementSize'
import { usePalette } from '../theme/ThemeContext'

const MEASURES = [
  ['residentBytes', 'Resident'],
  ['privateBytes', 'Private'],
  ['swapBytes', 'Swap']
] as const

export const KindChart = memo(function KindChart({ totals }: { totals: readonly MemoryKindTotal[] }) {
  const palette = usePalette()
  const [ref, size] = useElementSize<HTMLDivElement>({ width: 480, height: 140 })
  const data = MEASURES.map(([field, label]) => ({ label, ...Object.fromEntries(totals.map((t) => [t.kind, t[field]])) }))
  const shown = MEMORY_KINDS.filter((kind) => totals.some((t) => t.kind === kind && t.sizeBytes > 0))
  return (
    <section className="memory-chart" aria-label="Memory by kind" data-testid="memory-chart">
      <div className="memory-chart-plot" ref={ref}>
        <BarChart layout="vertical" width={size.width} height={size.height} data={data} margin={{ top: 4, right: 12, bottom: 0, left: 8 }}>
          <CartesianGrid stroke={palette.grid} horizontal={false} />
          <XAxis type="number" stroke={palette.axis} tick={{ fontSize: 10, fill: palette.axis }} tickFormatter={(v: number) => fmtBytes(v)} />
          <YAxis type="category" dataKey="label" width={64} stroke={palette.axis} tick={{ fontSize: 11, fill: palette.axis }} />
          <Tooltip isAnimationActive={false} cursor={{ fill: palette.grid }} formatter={(v) => fmtBytes(Number(v))} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {shown.map((kind) => (
            <Bar key={kind} dataKey={kind} stackId="kinds" fill={palette.series[MEMORY_KINDS.indexOf(kind)]} isAnimationActive={false} />
          ))}
        </BarChart>
      </div>
    </section>
  )
})
