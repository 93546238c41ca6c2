// Leak diagnosis and reports, in one place: open and save Snapscope files, compare two of them, and
// record timelines. The three views share the session's open files; all stay mounted, so a capture
// keeps running (and its charts keep growing) while another view is shown.
import { useState, type ReactNode } from 'react'
import type { ConnectedApi } from '../api/connectedApi'
import { Tabs, panelId, tabId, type TabSpec } from '../common/Tabs'
import { CompareView } from '../compare/CompareView'
import { TimelineView } from '../timeline/TimelineView'
import { FilesView } from './FilesView'
import { useLibrary, type Library } from './useLibrary'

type View = 'wb-files' | 'wb-compare' | 'wb-timeline'
const VIEWS: readonly TabSpec<View>[] = [
  { id: 'wb-files', label: 'Files' },
  { id: 'wb-compare', label: 'Compare' },
  { id: 'wb-timeline', label: 'Timeline' }
]

/** `library`: the window's, shared with the process views; a workbench of its own without it */
export function LeakWorkbench({ api, pid, library: shared }: { api: ConnectedApi; pid?: number | null; library?: Library }) {
  const own = useLibrary(api)
  const library = shared ?? own
  const [view, setView] = useState<View>('wb-files')
  const panel = (id: View, content: ReactNode) => (
    <div role="tabpanel" id={panelId(id)} aria-labelledby={tabId(id)} className="wb-panel" hidden={view !== id}>
      {content}
    </div>
  )
  return (
    <section className="workbench" aria-label="Leaks and reports" data-testid="workbench">
      <div className="wb-head">
        <Tabs<View> tabs={VIEWS} active={view} onChange={setView} label="Leaks and reports" />
        <span className="muted">{library.files.length ? `${library.files.length} open` : ''}</span>
      </div>
      {panel('wb-files', <FilesView api={api} library={library} />)}
      {panel('wb-compare', <CompareView api={api} library={library} />)}
      {panel('wb-timeline', <TimelineView api={api} library={library} initialPid={pid} />)}
    </section>
  )
}
