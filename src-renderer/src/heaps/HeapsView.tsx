// The heaps of the selected process with used and free totals; walk one to see its blocks.
import { memo, useState } from 'react'
import type { ConnectedApi } from '../api/connectedApi'
import { DataTable } from '../common/DataTable'
import { EmptyState, ErrorNotice } from '../common/Notice'
import { listProblem, type PidSnapshot } from '../inspector/usePidSnapshot'
import { HEAP_COLUMNS, type HeapRow } from './heapColumns'
import { HeapWalkView } from './HeapWalkView'
import { useHeapSummaries } from './useHeapSummaries'
import { useHeapWalk } from './useHeapWalk'
import { WalkProgress } from './WalkProgress'
import type { SizeClassLink } from '../allocs/SizeClassStacks'

interface HeapsViewProps {
  api: ConnectedApi
  pid: number
  snapshot: PidSnapshot
  active: boolean
  sizeClassLink?: SizeClassLink
}

// Memoized: the process list refreshes every second and re-renders what holds this.
export const HeapsView = memo(function HeapsView({ api, pid, snapshot, active, sizeClassLink }: HeapsViewProps) {
  const [round, setRound] = useState(0)
  const heapLists = snapshot.snapshot?.heapLists
  const walkable = heapLists?.some((h) => h.walkable) ?? false
  const summaries = useHeapSummaries(api, pid, active && walkable, round)
  const { state, walk, cancel } = useHeapWalk(api)
  const [selected, setSelected] = useState(0)
  const [stopTarget, setStopTarget] = useState(true)

  if (snapshot.problem) return <ErrorNotice what={`Reading the heaps of pid ${pid}`} problem={snapshot.problem} testId="heaps-error" onRetry={snapshot.refresh} />
  if (!heapLists) return <EmptyState testId="heaps-loading">Reading the heaps of pid {pid}…</EmptyState>
  const unreadable = heapLists.length === 0 && listProblem(snapshot.snapshot!, 'heaplist')
  if (unreadable) return <ErrorNotice what={`Listing the heaps of pid ${pid}`} problem={unreadable} testId="heaps-error" onRetry={snapshot.refresh} />
  if (heapLists.length === 0) return <EmptyState testId="heaps-empty">Pid {pid} has no heap Snapscope can list (a kernel thread, or a process with no allocator mapped).</EmptyState>

  const rows: HeapRow[] = heapLists.map((h) => ({ ...h, summary: summaries.byHeap?.get(h.heapId) }))
  const heap = rows[Math.min(selected, rows.length - 1)]
  const start = () => heap.walkable && walk(pid, heap.heapId, stopTarget)
  const refresh = () => {
    snapshot.refresh()
    setRound((r) => r + 1)
  }
  const shown = state.phase === 'done' ? state.view.heapId : null

  return (
    <section className="heaps-view" aria-label="Heaps" data-testid="heaps-view">
      <div className="heap-list">
        <DataTable
          label="Heaps"
          testId="heap-table"
          rowTestId="heap-row"
          columns={HEAP_COLUMNS}
          count={rows.length}
          rowAt={(i) => rows[i]}
          rowKey={(h) => h.heapId}
          rowData={(h) => ({ heap: h.heapId, kind: h.kind })}
          rowClass={(h) => (h.heapId === shown ? 'walked' : h.walkable ? '' : 'unwalkable')}
          selected={selected}
          onSelect={setSelected}
          onActivate={(i) => rows[i].walkable && walk(pid, rows[i].heapId, stopTarget)}
        />
      </div>
      {summaries.problem && <ErrorNotice what="Totalling the heaps" problem={summaries.problem} />}
      <div className="toolbar walk-bar">
        <button type="button" className="primary" data-testid="walk-heap" disabled={!heap.walkable || state.phase === 'walking'} onClick={start}>
          Walk {heap.kind} {heap.heapId}
        </button>
        <label className="field-inline" title="Stops every thread of the process for the walk (and always resumes it): the picture is consistent">
          <input type="checkbox" checked={stopTarget} onChange={(e) => setStopTarget(e.target.checked)} data-testid="walk-stop-target" />
          Stop the process during the walk
        </label>
        {!heap.walkable && <span className="warn small">{heap.note || 'This heap cannot be walked.'}</span>}
        <span className="spacer" />
        <button type="button" onClick={refresh}>
          Refresh list
        </button>
      </div>
      {state.phase === 'walking' && <WalkProgress heapId={state.heapId} progress={state.progress} onCancel={cancel} />}
      {state.phase === 'failed' && <ErrorNotice what={`Walking heap ${state.heapId}`} problem={state.problem} testId="walk-error" onRetry={start} />}
      {state.phase === 'idle' && <EmptyState testId="walk-empty">Select a heap and walk it (Enter or double-click) to see every block, its size classes and a map of used and free memory.</EmptyState>}
      {state.phase === 'done' && <HeapWalkView key={state.view.viewId} api={api} view={state.view} sizeClassLink={sizeClassLink} />}
    </section>
  )
})
