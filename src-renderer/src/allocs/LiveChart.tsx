// A live trace over time: the bytes allocated during it and still live, and allocations per second.
import { memo } from 'react'
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts'
import type { LivePoint } from '../../../src-common/model/allocs/liveStacks'
import { fmtBytes, fmtCompact, fmtCount, fmtSeconds } from '../../../src-common/model/format/format'
import { useElementSize } from '../common/useElementSize'
import { usePalette } from '../theme/ThemeContext'

export const LiveChart = memo(function LiveChart({ history }: { history: readonly LivePoint[]; version: number }) {
  const palette = usePalette()
  const [ref, size] = useElementSize<HTMLDivElement>({ width: 800, height: 120 })
  return (
    <section className="heap-chart allocs-live-chart" aria-label="Live bytes and allocations per second" data-testid="allocs-live-chart" data-points={history.length}>
      <header>
        <h4>
          <span className="swatch" style={{ background: palette.series[0] }} /> Live bytes <span className="swatch" style={{ background: palette.series[1] }} /> Allocations per second
        </h4>
      </header>
      <div className="heap-chart-plot" ref={ref}>
        <LineChart width={size.width} height={size.height} data={history as LivePoint[]} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={palette.grid} vertical={false} />
          <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} stroke={palette.axis} tick={{ fontSize: 10, fill: palette.axis }} tickFormatter={(t: number) => fmtSeconds(t, 1)} height={18} />
          <YAxis yAxisId="bytes" width={60} stroke={palette.axis} tick={{ fontSize: 10, fill: palette.axis }} tickFormatter={(v: number) => fmtBytes(v)} />
          <YAxis yAxisId="rate" orientation="right" width={48} stroke={palette.axis} tick={{ fontSize: 10, fill: palette.axis }} tickFormatter={(v: number) => `${fmtCompact(v)}/s`} />
          <Tooltip
            isAnimationActive={false}
            content={({ payload }) => {
              const p = payload?.[0]?.payload as LivePoint | undefined
              return p ? (
                <div className="chart-tooltip">
                  <div>{fmtSeconds(p.t)}</div>
                  <div>{fmtBytes(p.liveBytes)} live</div>
                  <div>{fmtCount(Math.round(p.perSecond))} allocations/s</div>
                </div>
              ) : null
            }}
          />
          <Line yAxisId="bytes" dataKey="liveBytes" stroke={palette.series[0]} dot={false} isAnimationActive={false} />
          <Line yAxisId="rate" dataKey="perSecond" stroke={palette.series[1]} dot={false} isAnimationActive={false} />
        </LineChart>
      </div>
    </section>
  )
})
