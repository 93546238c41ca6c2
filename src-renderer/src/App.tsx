// The window: problems on top, process tree over the selected process's inspector (or the inspector
// alone, maximized), status bar below. The working-set watch and the allocation trace live here so
// they outlive tab and selection changes.
import { useEffect, useState } from 'react'
import type { Hello } from '../../src-common/contract/contract'
import type { ConnectedApi } from './api/connectedApi'
import { useConnectionState } from './api/useConnectionState'
import { HostContext } from './common/HostContext'
import { SplitPane } from './common/SplitPane'
import { WithLeakWorkbench } from './files/WithLeakWorkbench'
import { Inspector } from './inspector/Inspector'
import { ProcessTree } from './process-tree/ProcessTree'
import { useProcessStore } from './processes/useProcessStore'
import { Problems } from './status/Problems'
import { StatusBar } from './status/StatusBar'
import { useWatchController } from './watch/useWatchController'
import { useAllocsController } from './allocs/useAllocsController'

export function App({ api }: { api: ConnectedApi }) {
  const { store, problem } = useProcessStore(api)
  const connection = useConnectionState(api)
  const watch = useWatchController(api)
  const allocs = useAllocsController(api)
  const [hello, setHello] = useState<Hello | null>(null)
  const [selectedPid, setSelectedPid] = useState<number | null>(null)
  const [maximized, setMaximized] = useState(false)

  useEffect(() => {
    // Only decorates the status bar; a failure here shows up through the watch anyway.
    api.invoke('app.hello', {}).then(setHello, () => {})
  }, [api])

  const selected = selectedPid === null ? undefined : store.processes.get(selectedPid)
  const emptyMessage =
    connection === 'disconnected'
      ? 'No connection to the Snapscope host: restart npm start and reload this page.'
      : problem
        ? 'No process list yet: see the error above.'
        : 'Waiting for the first process list from the host…'

  const inspector = (
    <Inspector
      api={api}
      pid={selectedPid}
      entry={selected}
      threads={(selectedPid !== null && store.threads.get(selectedPid)) || []}
      exited={selectedPid !== null && store.marks.get(selectedPid)?.kind === 'removed'}
      parentName={selected && store.processes.get(selected.parentPid)?.exeFile}
      watch={watch}
      allocs={allocs}
      maximized={maximized}
      onToggleMaximized={() => setMaximized((m) => !m)}
    />
  )
  return (
    <HostContext.Provider value={hello}>
    <div className="app">
      <Problems connection={connection} problem={problem} />
      <WithLeakWorkbench api={api} pid={selectedPid}>
      <SplitPane
        initial={0.45}
        hideTop={maximized}
        top={<ProcessTree processes={store.processes} marks={store.marks} selectedPid={selectedPid} onSelect={setSelectedPid} emptyMessage={emptyMessage} />}
        bottom={inspector}
      />
      </WithLeakWorkbench>
      <StatusBar store={store} connection={connection} hello={hello} />
    </div>
    </HostContext.Provider>
  )
}
