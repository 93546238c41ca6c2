// Blocks (or bytes) per size class, on a log scale: one bar per power of two. A click on a bar
// filters the table to that class.
import { memo, useState } from 'react'
import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from 'recharts'
import type { HistogramBucket } from '../../../src-common/contract/contract'
import { useElementSize } from '../common/useElementSize'
import { fmtBytes, fmtCompact, fmtCount } from '../../../src-common/model/format/format'
import { usePalette } from '../theme/ThemeContext'
import { sizeLabel } from './sizes'

interface SizeHistogramProps {
  histogram: readonly HistogramBucket[]
  /** the size filter in force, to highlight its classes */
  minSize: number | undefined
  maxSize: number | undefined
  onPick(bucket: HistogramBucket): void
}

type Measure = 'count' | 'bytes'

// Memoized: the process list refreshes every second and re-renders what holds this.
export const SizeHistogram = memo(function SizeHistogram({ histogram, minSize, maxSize, onPick }: SizeHistogramProps) {
  const palette = usePalette()
  const [measure, setMeasure] = useState<Measure>('count')
  const [ref, size] = useElementSize<HTMLDivElement>({ width: 420, height: 150 })
  const used = histogram.filter((b) => b.count > 0)
  const first = histogram.indexOf(used[0])
  const last = histogram.indexOf(used[used.length - 1])
  // Zero classes between the first and last used one stay, as gaps; log scales can't draw 0.
  const data = histogram.slice(first, last + 1).map((b) => ({ ...b, label: `≤${sizeLabel(b.maxSize)}`, value: b[measure] || null }))
  const picked = (b: HistogramBucket) => minSize === b.minSize && maxSize === b.maxSize
  return (
    <section className="heap-chart" aria-label="Size classes" data-testid="size-histogram">
      <header>
        <h4>Size classes</h4>
        <span className="segmented" role="group" aria-label="Measure">
          {(['count', 'bytes'] as const).map((m) => (
            <button key={m} type="button" aria-pressed={measure === m} onClick={() => setMeasure(m)}>
              {m === 'count' ? 'Blocks' : 'Bytes'}
            </button>
          ))}
        </span>
      </header>
      <div className="heap-chart-plot" ref={ref}>
        <BarChart width={size.width} height={size.height} data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }} barCategoryGap={1}>
          <CartesianGrid stroke={palette.grid} vertical={false} />
          <XAxis dataKey="label" stroke={palette.axis} tick={{ fontSize: 10, fill: palette.axis }} interval="preserveStartEnd" height={18} />
          <YAxis scale="log" domain={[1, 'auto']} allowDataOverflow width={44} stroke={palette.axis} tick={{ fontSize: 10, fill: palette.axis }} tickFormatter={(v: number) => (measure === 'bytes' ? fmtBytes(v) : fmtCompact(v))} />
          <Tooltip
            isAnimationActive={false}
            cursor={{ fill: palette.grid }}
            content={({ payload }) => {
              const b = payload?.[0]?.payload as HistogramBucket | undefined
              return b ? (
                <div className="chart-tooltip">
                  <div>
                    {fmtCount(b.minSize)} – {fmtCount(b.maxSize)} bytes
                  </div>
                  <div>
                    {fmtCount(b.count)} blocks · {fmtBytes(b.bytes)}
                  </div>
                  <div className="muted">Click to list only these blocks</div>
                </div>
              ) : null
            }}
          />
          <Bar dataKey="value" isAnimationActive={false} onClick={(d) => onPick(d.payload as HistogramBucket)} cursor="pointer">
            {data.map((b) => (
              <Cell key={b.minSize} fill={picked(b) ? palette.selection : palette.used} fillOpacity={picked(b) ? 1 : 0.75} data-testid="size-bar" />
            ))}
          </Bar>
        </BarChart>
      </div>
    </section>
  )
})
