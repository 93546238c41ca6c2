// What the two time charts (rate, address) share: the measured frame with its title and legend,
// drag-to-select over the plot box, the time axis, and the selection band.
import type { ReactNode } from 'react'
import { ReferenceArea, XAxis } from 'recharts'
import { useElementSize } from '../common/useElementSize'
import { fmtSeconds } from '../../../src-common/model/format/format'
import type { Palette } from '../theme/palette'
import { useTimeDrag, type PlotBox } from './useTimeDrag'
import type { WatchStore } from './watchStore'

export const CHART_MARGIN = { top: 6, right: 14, bottom: 0, left: 0 }
const X_AXIS_HEIGHT = 22

export interface TimeRange {
  from: number
  to: number
}

/** What the rate and address charts take: the store (and its version, to redraw), the window, the selection. */
export interface WatchChartProps {
  store: WatchStore
  version: number
  view: TimeRange
  selection: TimeRange | null
  onSelect(range: TimeRange): void
}

export function plotBox(size: { width: number; height: number }, yAxisWidth: number): PlotBox {
  return {
    left: CHART_MARGIN.left + yAxisWidth,
    right: size.width - CHART_MARGIN.right,
    top: CHART_MARGIN.top,
    bottom: size.height - CHART_MARGIN.bottom - X_AXIS_HEIGHT
  }
}

/** Tick steps (ms) a time axis may use: round numbers of seconds and minutes. */
const STEPS = [100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000]
const MAX_TICKS = 8

/** Ticks at a round step, at most MAX_TICKS of them, over [from, to]. */
export function timeTicks(view: TimeRange): { ticks: number[]; digits: number } {
  const step = STEPS.find((s) => (view.to - view.from) / s <= MAX_TICKS) ?? STEPS[STEPS.length - 1]
  const ticks: number[] = []
  for (let t = Math.ceil(view.from / step) * step; t <= view.to; t += step) ticks.push(t)
  return { ticks, digits: step < 1_000 ? (step % 500 ? 2 : 1) : 0 }
}

export function timeAxis(view: TimeRange, palette: Palette) {
  const { ticks, digits } = timeTicks(view)
  return (
    <XAxis
      dataKey="t"
      type="number"
      domain={[view.from, view.to]}
      ticks={ticks}
      interval={0}
      allowDataOverflow
      height={X_AXIS_HEIGHT}
      stroke={palette.axis}
      tick={{ fontSize: 11, fill: palette.axis }}
      tickFormatter={(ms: number) => fmtSeconds(ms, digits)}
    />
  )
}

export function selectionArea(selection: TimeRange | null, palette: Palette) {
  return selection && <ReferenceArea x1={selection.from} x2={selection.to} fill={palette.selection} fillOpacity={0.14} stroke={palette.selection} strokeOpacity={0.6} ifOverflow="hidden" />
}

interface TimeChartProps {
  title: string
  testId: string
  yAxisWidth: number
  view: TimeRange
  legend?: ReactNode
  onSelect(range: TimeRange): void
  children(size: { width: number; height: number }): ReactNode
}

export function TimeChart({ title, testId, yAxisWidth, view, legend, onSelect, children }: TimeChartProps) {
  const [ref, size] = useElementSize<HTMLDivElement>()
  const { handlers, band } = useTimeDrag(plotBox(size, yAxisWidth), view.from, view.to, (from, to) => onSelect({ from, to }))
  return (
    <section className="time-chart" data-testid={testId} aria-label={title}>
      <header>
        <h4>{title}</h4>
        {legend}
      </header>
      <div className="time-chart-plot" ref={ref} data-testid={`${testId}-plot`} {...handlers}>
        {children(size)}
        {band}
      </div>
    </section>
  )
}
