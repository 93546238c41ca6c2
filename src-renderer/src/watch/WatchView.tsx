// The working-set tab: start a watch on the selected process, then see its faults live — per second
// by module, by address over time, top faulting code and threads — pause, zoom, and read the raw
// records of a dragged selection.
import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react'
import type { ConnectedApi } from '../api/connectedApi'
import { EmptyState, ErrorNotice } from '../common/Notice'
import { AddressChart } from './AddressChart'
import { FaultRateChart } from './FaultRateChart'
import { RecordsTable } from './RecordsTable'
import type { TimeRange } from './timeChart'
import { LIVE, nextWindow, range as rangeOf, type ViewWindow, type WindowAction } from './timeWindow'
import { useStoreVersion } from './useStoreVersion'
import type { Mechanism, WatchController } from './useWatchController'
import { useWindowSummary } from './useWindowSummary'
import { ViewControls } from './ViewControls'
import { WatchSide } from './WatchSide'
import { WatchToolbar } from './WatchToolbar'
import { fmtCount } from '../../../src-common/model/format/format'

interface WatchViewProps {
  api: ConnectedApi
  pid: number
  watch: WatchController
  /** the tab is showing: hidden views do not redraw */
  active: boolean
}

const KEYS: Record<string, WindowAction> = {
  '+': { kind: 'scale', factor: 0.5 },
  '=': { kind: 'scale', factor: 0.5 },
  '-': { kind: 'scale', factor: 2 },
  ArrowLeft: { kind: 'pan', fraction: -0.25 },
  ArrowRight: { kind: 'pan', fraction: 0.25 }
}

// Memoized: the process list refreshes every second and re-renders what holds this.
export const WatchView = memo(function WatchView({ api, pid, watch, active }: WatchViewProps) {
  const { store } = watch
  const [mechanism, setMechanism] = useState<Mechanism>('auto')
  const [view, setView] = useState<ViewWindow>(LIVE)
  const [selection, setSelection] = useState<TimeRange | null>(null)
  // The toolbar's totals (and the lost count) stay live while the charts are paused.
  const version = useStoreVersion(store, active)
  const live = view.mode === 'live'
  const frozen = useRef(version)
  if (live) frozen.current = version
  const chartVersion = frozen.current
  const nowMs = store?.nowMs ?? 0
  const range = useMemo(() => rangeOf(view, nowMs), [view, live ? nowMs : 0])
  const summary = useWindowSummary(api, store?.watchId ?? 0, selection)

  // A new watch starts live, with nothing selected.
  useEffect(() => {
    setView(LIVE)
    setSelection(null)
  }, [store])

  const start = () => watch.start(pid, mechanism)
  const toolbar = (controls?: ReactNode) => (
    <WatchToolbar watch={watch} pid={pid} mechanism={mechanism} onMechanism={setMechanism} onStart={start}>
      {controls}
    </WatchToolbar>
  )
  if (!store) {
    return (
      <section className="watch-view" aria-label="Working set" data-testid="watch-view">
        {toolbar()}
        {watch.problem ? (
          <ErrorNotice what={`Watching pid ${watch.pid}`} problem={watch.problem} testId="watch-error" onRetry={start} />
        ) : (
          <EmptyState testId="watch-empty">
            {watch.phase === 'starting'
              ? `Attaching to pid ${pid}…`
              : `Start a watch to see pid ${pid}'s page faults as they happen: which modules fault, where in memory, from which threads. Then make the process work.`}
          </EmptyState>
        )}
      </section>
    )
  }

  const act = (action: WindowAction) => setView((w) => nextWindow(w, action, nowMs))
  const clearSelection = () => setSelection(null)
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === ' ') act(live ? { kind: 'pause' } : { kind: 'live' })
    else if (e.key === 'Escape') {
      clearSelection()
      act({ kind: 'live' })
    } else if (e.key === 'Enter') setSelection(range)
    else if (KEYS[e.key]) act(KEYS[e.key])
    else return
    e.preventDefault()
  }

  return (
    <section className="watch-view" aria-label="Working set" data-testid="watch-view" data-version={version}>
      {toolbar(<ViewControls view={view} range={range} onAction={act} hasSelection={selection !== null} onClearSelection={clearSelection} />)}
      {watch.problem && <ErrorNotice what="Stopping the watch" problem={watch.problem} />}
      <div className={selection ? 'watch-body with-records' : 'watch-body'}>
        <div
          className="watch-charts"
          tabIndex={0}
          data-testid="watch-charts"
          aria-label="Fault charts. Drag to select a window; Enter selects the view; Space pauses; + and − zoom; ← and → pan; Esc returns to live"
          onKeyDown={onKeyDown}
        >
          <FaultRateChart store={store} version={chartVersion} view={range} selection={selection} onSelect={setSelection} />
          <AddressChart store={store} version={chartVersion} view={range} selection={selection} onSelect={setSelection} />
        </div>
        <WatchSide whole={store} selection={selection ? summary : null} />
        {selection && (
          <section className="watch-records" aria-label="Records of the selection" data-testid="watch-records">
            <div className="records-head">
              <h4>Records of the selection</h4>
              <button type="button" data-testid="zoom-selection" onClick={() => act({ kind: 'zoom', ...selection })}>
                Zoom to selection
              </button>
              {summary.result && store.total > summary.result.ringCapacity && selection.from < summary.result.ringStartMs && (
                <span className="warn small" data-testid="ring-note">
                  Only the newest {fmtCount(summary.result.ringCapacity)} records are kept: this window starts before them.
                </span>
              )}
            </div>
            <RecordsTable api={api} watchId={store.watchId} range={selection} />
          </section>
        )}
      </div>
    </section>
  )
})
