// The window's top-level switch between the process views (what it wraps) and leaks & reports. The
// workbench mounts on its first visit and then stays, hidden when not shown: its open files and a
// running capture outlive a look at the processes, and the process views keep their state too.
import { useState, type ReactNode } from 'react'
import type { ConnectedApi } from '../api/connectedApi'
import { Tabs, panelId, tabId, type TabSpec } from '../common/Tabs'
import { LeakWorkbench } from './LeakWorkbench'
import { LibraryContext, useLibrary } from './useLibrary'
import './workbench.css'

type Main = 'main-processes' | 'main-leaks'
const MAIN: readonly TabSpec<Main>[] = [
  { id: 'main-processes', label: 'Processes' },
  { id: 'main-leaks', label: 'Leaks & reports' }
]

interface Props {
  api: ConnectedApi
  /** the process selected in the tree: the timeline's default target */
  pid: number | null
  children: ReactNode
}

export function WithLeakWorkbench({ api, pid, children }: Props) {
  // One library for the window: a leak scan taken in the process views is a file here too.
  const library = useLibrary(api)
  const [main, setMain] = useState<Main>('main-processes')
  const [visited, setVisited] = useState(false)
  if (main === 'main-leaks' && !visited) setVisited(true)
  return (
    <>
      <nav className="wb-nav" aria-label="Snapscope">
        <Tabs<Main> tabs={MAIN} active={main} onChange={setMain} label="Snapscope views" />
      </nav>
      <div role="tabpanel" id={panelId('main-processes')} aria-labelledby={tabId('main-processes')} className="wb-main" hidden={main !== 'main-processes'}>
        <LibraryContext.Provider value={library}>{children}</LibraryContext.Provider>
      </div>
      {visited && (
        <div role="tabpanel" id={panelId('main-leaks')} aria-labelledby={tabId('main-leaks')} className="wb-main" hidden={main !== 'main-leaks'}>
          <LeakWorkbench api={api} pid={pid} library={library} />
        </div>
      )}
    </>
  )
}
