// The selected process, tab by tab: general details and threads, modules, heaps, memory map, working
// set, allocations, leaks. Tabs stay mounted once visited (a walk or a filter survives a look
// elsewhere); hidden ones don't redraw. Alt+1…7 switch tabs from anywhere.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react'
import type { ProcessEntry, ThreadEntry } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'
import { Name } from '../common/Name'
import { EmptyState } from '../common/Notice'
import { Tabs, panelId, tabId, type TabSpec } from '../common/Tabs'
import { HeapsView } from '../heaps/HeapsView'
import { LeaksView } from '../leaks/LeaksView'
import { MemoryView } from '../memory/MemoryView'
import { ModulesView } from '../modules/ModulesView'
import { ProcessDetails } from '../process-details/ProcessDetails'
import { useProcessExtras } from '../process-details/useProcessExtras'
import type { WatchController } from '../watch/useWatchController'
import { WatchView } from '../watch/WatchView'
import { usePidSnapshot } from './usePidSnapshot'
import { AllocsView } from '../allocs/AllocsView'
import type { AllocsController } from '../allocs/useAllocsController'

export type InspectorTab = 'general' | 'modules' | 'heaps' | 'memory' | 'watch' | 'allocs' | 'leaks'
const TABS: readonly TabSpec<InspectorTab>[] = [
  { id: 'general', label: 'General' },
  { id: 'modules', label: 'Modules' },
  { id: 'heaps', label: 'Heaps' },
  { id: 'memory', label: 'Memory' },
  { id: 'watch', label: 'Working set' },
  { id: 'allocs', label: 'Allocations' },
  { id: 'leaks', label: 'Leaks' }
]

interface InspectorProps {
  api: ConnectedApi
  pid: number | null
  entry: ProcessEntry | undefined
  threads: readonly ThreadEntry[]
  exited: boolean
  parentName: string | undefined
  watch: WatchController
  allocs: AllocsController
  maximized: boolean
  onToggleMaximized(): void
}

export function Inspector(props: InspectorProps) {
  const [tab, setTab] = useState<InspectorTab>('general')
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const index = Number(e.key) - 1
      if (!e.altKey || !(index >= 0 && index < TABS.length)) return
      e.preventDefault()
      setTab(TABS[index].id)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
  const { pid, entry } = props
  return (
    <section className="inspector" aria-label="Process inspector">
      <div className="inspector-head">
        <Tabs<InspectorTab> tabs={TABS} active={tab} onChange={setTab} label="Process views (Alt+1 to Alt+7)" />
        <span className="inspector-title" data-testid="inspector-title">
          {entry ? (
            <>
              <Name>{entry.exeFile}</Name> <span className="muted">pid {entry.pid}</span>
            </>
          ) : pid !== null ? (
            <span className="muted">pid {pid}</span>
          ) : null}
        </span>
        <button type="button" className="link-button" data-testid="maximize" aria-pressed={props.maximized} onClick={props.onToggleMaximized}>
          {props.maximized ? 'Show the process tree' : 'Maximize'}
        </button>
      </div>
      <PidPanels key={pid ?? 'none'} {...props} tab={tab} onTab={setTab} />
    </section>
  )
}

function PidPanels({ api, pid, entry, threads, exited, parentName, watch, allocs, tab, onTab }: InspectorProps & { tab: InspectorTab; onTab(tab: InspectorTab): void }) {
  const [visited, setVisited] = useState<ReadonlySet<InspectorTab>>(new Set([tab]))
  if (!visited.has(tab)) setVisited(new Set([...visited, tab]))
  const snapshot = usePidSnapshot(api, pid ?? 0, pid !== null && (tab === 'modules' || tab === 'heaps'))
  const extras = useProcessExtras(api, pid, tab === 'general' && !exited)

  const panel = (id: InspectorTab, content: () => ReactNode) =>
    visited.has(id) && (
      <div key={id} role="tabpanel" id={panelId(id)} aria-labelledby={tabId(id)} className="tab-panel" hidden={tab !== id}>
        {pid === null && id !== 'general' ? <EmptyState>Select a process in the tree (click it, or use ↑/↓) to see its {id === 'watch' ? 'working set' : id === 'allocs' ? 'allocations' : id === 'memory' ? 'memory map' : id}.</EmptyState> : content()}
      </div>
    )
  // Stable, so the memoized views below skip the once-a-second refreshes of the process list.
  const { start } = watch
  const startWatch = useCallback(() => {
    if (pid === null) return
    onTab('watch')
    start(pid, 'auto')
  }, [pid, onTab, start])
  const { start: startTrace } = allocs
  const sizeClassLink = useMemo(
    () => ({
      allocs,
      onTrace: () => {
        if (pid === null) return
        onTab('allocs')
        startTrace(pid)
      }
    }),
    [allocs, pid, onTab, startTrace]
  )
  return (
    <>
      {panel('general', () => <ProcessDetails pid={pid} entry={entry} threads={threads} exited={exited} parentName={parentName} extras={extras} />)}
      {panel('modules', () => <ModulesView api={api} pid={pid!} snapshot={snapshot} watch={watch} active={tab === 'modules'} onStartWatch={startWatch} />)}
      {panel('heaps', () => <HeapsView api={api} pid={pid!} snapshot={snapshot} active={tab === 'heaps'} sizeClassLink={sizeClassLink} />)}
      {panel('memory', () => <MemoryView api={api} pid={pid!} active={tab === 'memory'} />)}
      {panel('leaks', () => <LeaksView api={api} pid={pid!} active={tab === 'leaks'} />)}
      {panel('watch', () => <WatchView api={api} pid={pid!} watch={watch} active={tab === 'watch'} />)}
      {panel('allocs', () => <AllocsView pid={pid!} allocs={allocs} active={tab === 'allocs'} />)}
    </>
  )
}
