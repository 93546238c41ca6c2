// The memory map of the selected process (VMMap's view): the totals by kind as stacked bars and a
// table, and every region, sortable. Refresh reads it again and shows what grew since the last look,
// per region and per kind.
import { memo, useMemo, useState } from 'react'
import type { ConnectedApi } from '../api/connectedApi'
import { DataTable, toggleSort, type SortState } from '../common/DataTable'
import { EmptyState, ErrorNotice } from '../common/Notice'
import { fmtBytes, fmtCount, fmtTime } from '../../../src-common/model/format/format'
import { KindChart } from './KindChart'
import { REGION_COLUMNS, fmtGrowth, kindGrowth, regionRows, sortRegions } from './memoryColumns'
import { useMemoryMap } from './useMemoryMap'

interface MemoryViewProps {
  api: ConnectedApi
  pid: number
  active: boolean
}

export const MemoryView = memo(function MemoryView({ api, pid, active }: MemoryViewProps) {
  const map = useMemoryMap(api, pid, active)
  const [sort, setSort] = useState<SortState>({ column: 'start', dir: 'asc' })
  const { doc, previous } = map
  const rows = useMemo(() => (doc ? sortRegions(regionRows(doc, previous), sort.column, sort.dir) : []), [doc, previous, sort])
  const growth = useMemo(() => doc && kindGrowth(doc, previous), [doc, previous])

  if (map.problem && !doc) return <ErrorNotice what={`Reading the memory map of pid ${pid}`} problem={map.problem} testId="memory-error" onRetry={map.refresh} />
  if (!doc) return <EmptyState testId="memory-loading">Reading the memory map of pid {pid}…</EmptyState>
  return (
    <section className="memory-view" aria-label="Memory" data-testid="memory-view">
      <div className="toolbar">
        <span className="muted" data-testid="memory-count">
          {fmtCount(doc.regions.length)} regions, read {fmtTime(doc.takenAt)}
          {previous && `; growth since ${fmtTime(previous.takenAt)}`}
        </span>
        <span className="spacer" />
        <button type="button" data-testid="memory-refresh" onClick={map.refresh} disabled={map.loading} title="Read it again and show what grew since this read">
          Refresh
        </button>
      </div>
      {map.problem && <ErrorNotice what={`Reading the memory map of pid ${pid} again`} problem={map.problem} testId="memory-error" onRetry={map.refresh} />}
      <div className="memory-summary">
        <KindChart totals={doc.totals} />
        <table className="memory-kinds" data-testid="memory-kinds">
          <thead>
            <tr>
              <th>Kind</th>
              <th className="num">Size</th>
              <th className="num">Resident</th>
              <th className="num">Private</th>
              <th className="num">Swap</th>
              <th className="num">Δ Resident</th>
              <th className="num">Δ Private</th>
            </tr>
          </thead>
          <tbody>
            {doc.totals.map((t) => {
              const g = growth?.get(t.kind)
              return (
                <tr key={t.kind} data-kind={t.kind} data-testid="memory-kind-row">
                  <td>{t.kind}</td>
                  <td className="num">{fmtBytes(t.sizeBytes)}</td>
                  <td className="num" data-col="resident">{fmtBytes(t.residentBytes)}</td>
                  <td className="num" data-col="private">{fmtBytes(t.privateBytes)}</td>
                  <td className="num">{fmtBytes(t.swapBytes)}</td>
                  <td className="num" data-col="residentGrowth">{g ? fmtGrowth(g.resident) : '—'}</td>
                  <td className="num" data-col="privateGrowth">{g ? fmtGrowth(g.private) : '—'}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      {rows.length === 0 ? (
        <EmptyState testId="memory-empty">Pid {pid} has no user memory (a kernel thread).</EmptyState>
      ) : (
        <DataTable
          label="Memory regions"
          testId="memory-table"
          rowTestId="memory-row"
          columns={REGION_COLUMNS}
          count={rows.length}
          rowAt={(i) => rows[i]}
          rowKey={(r) => r.start}
          rowData={(r) => ({ start: r.start, kind: r.kind })}
          sort={sort}
          onSort={(column) => setSort((s) => toggleSort(s, column))}
        />
      )}
    </section>
  )
})
