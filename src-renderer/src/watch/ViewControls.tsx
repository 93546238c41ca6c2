// Pause / live, zoom, the shown range, and clearing the selection (each also on the keyboard).
import { fmtSeconds } from '../../../src-common/model/format/format'
import type { TimeRange } from './timeChart'
import type { ViewWindow, WindowAction } from './timeWindow'

interface ViewControlsProps {
  view: ViewWindow
  range: TimeRange
  onAction(action: WindowAction): void
  hasSelection: boolean
  onClearSelection(): void
}

export function ViewControls({ view, range, onAction, hasSelection, onClearSelection }: ViewControlsProps) {
  const live = view.mode === 'live'
  return (
    <span className="view-controls">
      <span className="muted small num" data-testid="watch-range">
        {live ? 'live · ' : ''}
        {fmtSeconds(range.from, 1)} – {fmtSeconds(range.to, 1)}
      </span>
      <button type="button" data-testid="watch-pause" aria-pressed={!live} title="Space" onClick={() => onAction(live ? { kind: 'pause' } : { kind: 'live' })}>
        {live ? 'Pause' : 'Live'}
      </button>
      <button type="button" title="Zoom in (+)" aria-label="Zoom in" onClick={() => onAction({ kind: 'scale', factor: 0.5 })}>
        +
      </button>
      <button type="button" title="Zoom out (−)" aria-label="Zoom out" onClick={() => onAction({ kind: 'scale', factor: 2 })}>
        −
      </button>
      {hasSelection && (
        <button type="button" data-testid="clear-selection" title="Esc" onClick={onClearSelection}>
          Clear selection
        </button>
      )}
    </span>
  )
}
