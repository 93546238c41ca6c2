// A vertical split with a draggable (and keyboard-movable) divider between two panes. `hideTop`
// gives the bottom pane the whole height while keeping the top one mounted (its state survives);
// hidden panes are not grid items, so the grid then has the one row.
import { useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react'

const MIN_FRACTION = 0.15
const MAX_FRACTION = 0.85
const KEY_STEP = 0.05

const clamp = (f: number) => Math.min(MAX_FRACTION, Math.max(MIN_FRACTION, f))

interface SplitPaneProps {
  top: ReactNode
  bottom: ReactNode
  initial?: number
  hideTop?: boolean
}

export function SplitPane({ top, bottom, initial = 0.62, hideTop = false }: SplitPaneProps) {
  const [fraction, setFraction] = useState(initial)
  const container = useRef<HTMLDivElement>(null)

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId)
  }
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!e.currentTarget.hasPointerCapture(e.pointerId)) return
    const box = container.current!.getBoundingClientRect()
    if (box.height > 0) setFraction(clamp((e.clientY - box.top) / box.height))
  }
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowUp') setFraction((f) => clamp(f - KEY_STEP))
    else if (e.key === 'ArrowDown') setFraction((f) => clamp(f + KEY_STEP))
  }

  return (
    <div className="split" ref={container} style={{ gridTemplateRows: hideTop ? 'minmax(0, 1fr)' : `${fraction}fr auto ${1 - fraction}fr` }}>
      <div className="split-pane" hidden={hideTop}>
        {top}
      </div>
      <div
        hidden={hideTop}
        className="split-divider"
        role="separator"
        aria-orientation="horizontal"
        aria-valuenow={Math.round(fraction * 100)}
        aria-valuemin={MIN_FRACTION * 100}
        aria-valuemax={MAX_FRACTION * 100}
        aria-label="Resize the tree and details panes"
        tabIndex={0}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onKeyDown={onKeyDown}
      />
      <div className="split-pane">{bottom}</div>
    </div>
  )
}
