// A finished walk of one heap: its totals, size classes and map, and the filterable block table; a
// picked size class also shows the allocation stacks that made blocks of that size.
import { memo, useRef, useState } from 'react'
import type { HeapBlockFilter, HeapView } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'
import { ErrorNotice } from '../common/Notice'
import { toErrorPayload } from '../../../src-common/contract/errors'
import { type Problem } from '../common/problems'
import type { VirtualListHandle } from '../common/VirtualList'
import { fmtBytes, fmtClock, fmtCount } from '../../../src-common/model/format/format'
import { BlockFilters } from './BlockFilters'
import { BlockTable } from './BlockTable'
import { HeapMap } from './HeapMap'
import { SizeHistogram } from './SizeHistogram'
import { SizeClassStacks, type SizeClassLink } from '../allocs/SizeClassStacks'

interface HeapWalkViewProps {
  api: ConnectedApi
  view: HeapView
  /** the allocation stacks of a picked size class (absent: the walk alone) */
  sizeClassLink?: SizeClassLink
}

// Memoized: the process list refreshes every second and re-renders what holds this.
export const HeapWalkView = memo(function HeapWalkView({ api, view, sizeClassLink }: HeapWalkViewProps) {
  const [filter, setFilter] = useState<HeapBlockFilter>({})
  const [selected, setSelected] = useState<number | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const [problem, setProblem] = useState<Problem | null>(null)
  const table = useRef<VirtualListHandle>(null)
  const { summary } = view

  const applyFilter = (next: HeapBlockFilter) => {
    setFilter(next)
    setSelected(null)
    setNote(null)
  }
  const goTo = (address: string) => {
    api.invoke('heap.find', { viewId: view.viewId, address, ...filter }).then(
      ({ position, exact }) => {
        setProblem(null)
        if (position < 0) {
          setNote(`No block at or above ${address}${filter.flags || filter.minSize !== undefined || filter.maxSize !== undefined ? ' matches the filter' : ''}.`)
          return
        }
        setNote(exact ? null : `${address} is not inside a listed block: showing the next one.`)
        setSelected(position)
        // The row count may only now be known (first page): scroll after it renders.
        requestAnimationFrame(() => table.current?.scrollIntoView(position))
      },
      (error: unknown) => setProblem(toErrorPayload(error))
    )
  }

  const total = summary.usedBytes + summary.freeBytes
  return (
    <div className="heap-walk" data-testid="heap-walk" data-heap={view.heapId}>
      <p className="walk-summary" data-testid="walk-summary" data-blocks={summary.blockCount} data-used-blocks={summary.usedBlocks}>
        <strong>{fmtCount(summary.blockCount)}</strong> blocks · <span className="used-dot" /> used {fmtCount(summary.usedBlocks)} ({fmtBytes(summary.usedBytes)}) ·{' '}
        <span className="free-dot" /> free {fmtCount(summary.freeBlocks)} ({fmtBytes(summary.freeBytes)}
        {total > 0 && `, ${((100 * summary.freeBytes) / total).toFixed(1)}%`}) · walked {fmtClock(view.takenAt, 'local')}{' '}
        {view.stopped ? (
          <span className="muted">with the process stopped (consistent)</span>
        ) : (
          <span className="warn" title="Tick “Stop the process during the walk” for a consistent picture">
            while it ran (may be torn)
          </span>
        )}
      </p>
      <div className="heap-charts">
        <SizeHistogram histogram={summary.histogram} minSize={filter.minSize} maxSize={filter.maxSize} onPick={(b) => applyFilter({ ...filter, minSize: b.minSize, maxSize: b.maxSize })} />
        <HeapMap cells={view.map} onPick={goTo} />
      </div>
      {sizeClassLink && filter.minSize !== undefined && filter.maxSize !== undefined && (
        <SizeClassStacks link={sizeClassLink} pid={view.pid} minSize={filter.minSize} maxSize={filter.maxSize} />
      )}
      <BlockFilters filter={filter} onFilter={applyFilter} onGoTo={goTo} />
      {note && (
        <p className="muted small" data-testid="goto-note">
          {note}
        </p>
      )}
      {problem && <ErrorNotice what="Finding the address" problem={problem} />}
      <BlockTable api={api} viewId={view.viewId} filter={filter} selected={selected} onSelect={setSelected} handle={table} />
    </div>
  )
})
