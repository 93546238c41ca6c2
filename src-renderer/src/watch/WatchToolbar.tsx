// Start / stop, what is being watched and how, and live totals with the lost count always in
// sight. The view controls (ViewControls) come in as children once there is something to view.
import type { ReactNode } from 'react'
import { WATCH_MECHANISMS } from '../../../src-common/contract/contract'
import { fmtCount } from '../../../src-common/model/format/format'
import type { Mechanism, WatchController } from './useWatchController'

interface WatchToolbarProps {
  watch: WatchController
  /** the process selected in the tree */
  pid: number
  mechanism: Mechanism
  onMechanism(m: Mechanism): void
  onStart(): void
  children?: ReactNode
}

const STATUS: Record<string, string> = { starting: 'Attaching…', stopping: 'Stopping…', running: 'Watching', ended: 'Stopped' }

export function WatchToolbar({ watch, pid, mechanism, onMechanism, onStart, children }: WatchToolbarProps) {
  const { store } = watch
  const busy = watch.phase === 'running' || watch.phase === 'starting' || watch.phase === 'stopping'
  const other = watch.pid !== null && watch.pid !== pid
  const lastSecond = store ? store.bucketsIn(store.nowMs - 1000, store.nowMs).reduce((s, b) => s + b.total, 0) : 0
  return (
    <div className="toolbar watch-toolbar" data-testid="watch-toolbar">
      {watch.phase === 'running' ? (
        <button type="button" className="primary" data-testid="watch-stop" onClick={watch.stop}>
          Stop
        </button>
      ) : (
        <button type="button" className="primary" data-testid="watch-start" disabled={busy} onClick={onStart}>
          {other ? `Watch pid ${pid} instead` : watch.phase === 'ended' ? 'Watch again' : 'Start watch'}
        </button>
      )}
      <label className="field-inline">
        Mechanism
        <select value={mechanism} disabled={busy} onChange={(e) => onMechanism(e.target.value as Mechanism)} data-testid="watch-mechanism">
          {WATCH_MECHANISMS.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <span className="watch-status" data-testid="watch-status" data-phase={watch.phase}>
        {STATUS[watch.phase] ?? ''} {watch.pid !== null && `pid ${watch.pid}`}
        {watch.mechanism && <span className="muted"> · {watch.mechanism}</span>}
        {watch.phase === 'ended' && watch.endReason && <span className="muted"> · {watch.endReason}</span>}
      </span>
      {store && (
        <span className="stats">
          <span className="stat" data-testid="watch-total" data-total={store.total}>
            <span className="muted">Faults</span> {fmtCount(store.total)}
          </span>
          <span className="stat">
            <span className="muted">Last second</span> {fmtCount(lastSecond)}
          </span>
          <span className="stat">
            <span className="muted">Threads</span> {fmtCount(store.threadCount)}
          </span>
          <span
            className={store.lost > 0 ? 'stat lost warn' : 'stat lost'}
            data-testid="watch-lost"
            data-lost={store.lost}
            title="Records the OS dropped because its buffer was full: the counts above miss them"
          >
            <span className="muted">Lost</span> {fmtCount(store.lost)}
          </span>
        </span>
      )}
      <span className="spacer" />
      {children}
    </div>
  )
}
