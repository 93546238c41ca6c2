// Drag across a chart's plot area to select a time window. The handlers go on the element around
// the chart, so the chart underneath still gets hover (tooltips) while nobody drags.
import { useState, type PointerEvent } from 'react'

export interface PlotBox {
  left: number
  right: number
  top: number
  bottom: number
}

/** drags shorter than this are clicks, not selections */
const MIN_DRAG_PX = 4

export function useTimeDrag(plot: PlotBox, from: number, to: number, onSelect: (from: number, to: number) => void) {
  const [drag, setDrag] = useState<{ x0: number; x1: number } | null>(null)
  const width = plot.right - plot.left
  const local = (e: PointerEvent<HTMLElement>) => e.clientX - e.currentTarget.getBoundingClientRect().left - plot.left
  const timeAt = (x: number) => from + (Math.max(0, Math.min(width, x)) / width) * (to - from)
  const handlers = {
    onPointerDown(e: PointerEvent<HTMLElement>) {
      const x = local(e)
      if (e.button !== 0 || x < 0 || x > width) return
      e.currentTarget.setPointerCapture(e.pointerId)
      setDrag({ x0: x, x1: x })
    },
    onPointerMove(e: PointerEvent<HTMLElement>) {
      if (drag) setDrag({ ...drag, x1: Math.max(0, Math.min(width, local(e))) })
    },
    onPointerUp() {
      if (drag && Math.abs(drag.x1 - drag.x0) >= MIN_DRAG_PX) onSelect(timeAt(Math.min(drag.x0, drag.x1)), timeAt(Math.max(drag.x0, drag.x1)))
      setDrag(null)
    }
  }
  const band = drag && (
    <div
      className="time-select-drag"
      data-testid="time-select-drag"
      style={{ left: plot.left + Math.min(drag.x0, drag.x1), width: Math.abs(drag.x1 - drag.x0), top: plot.top, height: plot.bottom - plot.top }}
    />
  )
  return { handlers, band }
}
