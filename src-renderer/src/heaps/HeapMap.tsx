// The heap laid end to end (the gaps between its mappings left out) in equal cells, each split into
// used and free bytes: fragmentation shows as free bands between used ones. A click on a cell shows
// its first block in the table.
import { memo } from 'react'
import { Bar, BarChart, Tooltip, XAxis, YAxis } from 'recharts'
import type { HeapMapCell } from '../../../src-common/contract/contract'
import { useElementSize } from '../common/useElementSize'
import { fmtBytes } from '../../../src-common/model/format/format'
import { usePalette } from '../theme/ThemeContext'

interface HeapMapProps {
  cells: readonly HeapMapCell[]
  onPick(address: string): void
}

// Memoized: the process list refreshes every second and re-renders what holds this.
export const HeapMap = memo(function HeapMap({ cells, onPick }: HeapMapProps) {
  const palette = usePalette()
  const [ref, size] = useElementSize<HTMLDivElement>({ width: 420, height: 150 })
  const data = cells.map((c, i) => {
    const bytes = c.usedBytes + c.freeBytes
    return { ...c, i, used: bytes ? (100 * c.usedBytes) / bytes : 0, free: bytes ? (100 * c.freeBytes) / bytes : 0 }
  })
  const pick = (d: { payload?: HeapMapCell }) => d.payload && onPick(d.payload.address)
  return (
    <section className="heap-chart" aria-label="Heap map" data-testid="heap-map">
      <header>
        <h4>Heap map</h4>
        <ul className="legend">
          <li>
            <span className="swatch" style={{ background: palette.used }} />
            used
          </li>
          <li>
            <span className="swatch" style={{ background: palette.free }} />
            free
          </li>
          <li className="muted">address →</li>
        </ul>
      </header>
      <div className="heap-chart-plot" ref={ref}>
        <BarChart width={size.width} height={size.height} data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }} barCategoryGap={0} barGap={0}>
          <XAxis dataKey="address" stroke={palette.axis} tick={{ fontSize: 10, fill: palette.axis }} interval="preserveStartEnd" minTickGap={60} height={18} />
          <YAxis hide domain={[0, 100]} />
          <Tooltip
            isAnimationActive={false}
            cursor={{ fill: palette.grid, fillOpacity: 0.5 }}
            content={({ payload }) => {
              const c = payload?.[0]?.payload as HeapMapCell | undefined
              return c ? (
                <div className="chart-tooltip">
                  <div className="mono">from {c.address}</div>
                  <div>
                    used {fmtBytes(c.usedBytes)} · free {fmtBytes(c.freeBytes)}
                  </div>
                  <div className="muted">Click to show its blocks</div>
                </div>
              ) : null
            }}
          />
          <Bar dataKey="used" stackId="map" fill={palette.used} isAnimationActive={false} onClick={pick} cursor="pointer" />
          <Bar dataKey="free" stackId="map" fill={palette.free} isAnimationActive={false} onClick={pick} cursor="pointer" />
        </BarChart>
      </div>
    </section>
  )
})
