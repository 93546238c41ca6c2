// The modules of the selected process: sortable, filterable, base / end / size / path, with the
// faults attributed to each while a watch of the process runs; the selected module's faults beside.
import { memo, useMemo, useState } from 'react'
import type { ConnectedApi } from '../api/connectedApi'
import { DataTable, toggleSort, type SortState } from '../common/DataTable'
import { EmptyState, ErrorNotice } from '../common/Notice'
import { listProblem, type PidSnapshot } from '../inspector/usePidSnapshot'
import { fmtCount } from '../../../src-common/model/format/format'
import { useStoreVersion } from '../watch/useStoreVersion'
import type { WatchController } from '../watch/useWatchController'
import { MODULE_COLUMNS, matchesModule, sortModules, type ModuleRow } from './moduleColumns'
import { ModuleFaults } from './ModuleFaults'

interface ModulesViewProps {
  api: ConnectedApi
  pid: number
  snapshot: PidSnapshot
  watch: WatchController
  active: boolean
  onStartWatch(): void
}

// Memoized: the process list refreshes every second and re-renders what holds this.
export const ModulesView = memo(function ModulesView({ api, pid, snapshot, watch, active, onStartWatch }: ModulesViewProps) {
  const [filter, setFilter] = useState('')
  const [sort, setSort] = useState<SortState>({ column: 'base', dir: 'asc' })
  const [selectedName, setSelectedName] = useState<string | null>(null)
  const store = watch.pid === pid ? watch.store : null
  const version = useStoreVersion(store, active)

  const modules = snapshot.snapshot?.modules
  const rows = useMemo(() => {
    const counts = new Map(store?.byModule.map((m) => [m.module, m.count]))
    const all: ModuleRow[] = (modules ?? []).filter((m) => matchesModule(m, filter)).map((m) => ({ ...m, faults: store ? (counts.get(m.moduleName) ?? 0) : null }))
    return sortModules(all, sort.column, sort.dir)
  }, [modules, filter, sort, store, version])

  if (snapshot.problem) return <ErrorNotice what={`Reading the modules of pid ${pid}`} problem={snapshot.problem} testId="modules-error" onRetry={snapshot.refresh} />
  if (!modules) return <EmptyState testId="modules-loading">Reading the modules of pid {pid}…</EmptyState>
  const unreadable = modules.length === 0 && listProblem(snapshot.snapshot!, 'modules')
  if (unreadable) return <ErrorNotice what={`Listing the modules of pid ${pid}`} problem={unreadable} testId="modules-error" onRetry={snapshot.refresh} />

  const selectedIndex = rows.findIndex((m) => m.moduleName === selectedName)
  const selected = selectedIndex >= 0 ? rows[selectedIndex] : null
  return (
    <section className="modules-view" aria-label="Modules" data-testid="modules-view">
      <div className="toolbar">
        <input
          type="search"
          className="filter"
          placeholder="Filter by name or path"
          aria-label="Filter modules by name or path"
          data-testid="module-filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && setFilter('')}
        />
        <span className="muted" data-testid="module-count">
          {rows.length === modules.length ? `${fmtCount(modules.length)} modules` : `${fmtCount(rows.length)} of ${fmtCount(modules.length)} modules`}
        </span>
        <span className="spacer" />
        <button type="button" onClick={snapshot.refresh} disabled={snapshot.loading}>
          Refresh
        </button>
      </div>
      <div className="modules-body">
        {rows.length === 0 ? (
          <EmptyState testId="modules-empty">
            {modules.length === 0 ? `Pid ${pid} lists no modules (a kernel thread, or it exited).` : `No module matches “${filter.trim()}”. Esc clears the filter.`}
          </EmptyState>
        ) : (
          <DataTable
            label="Modules"
            testId="module-table"
            rowTestId="module-row"
            columns={MODULE_COLUMNS}
            count={rows.length}
            rowAt={(i) => rows[i]}
            rowKey={(m) => `${m.moduleName}@${m.baseAddress}`}
            rowData={(m) => ({ module: m.moduleName })}
            rowClass={(m) => (m.deleted ? 'deleted' : '')}
            selected={selectedIndex >= 0 ? selectedIndex : null}
            onSelect={(i) => setSelectedName(rows[i].moduleName)}
            sort={sort}
            onSort={(column) => setSort((s) => toggleSort(s, column))}
          />
        )}
        <ModuleFaults api={api} module={selected} watch={watch} pid={pid} version={version} onStartWatch={onStartWatch} />
      </div>
    </section>
  )
})
