// The window: problems on top, process tree over the selected process's details, status bar below.
import { useEffect, useState } from 'react'
import type { Hello } from '../../src-main/ipc/contract'
import type { ConnectedApi } from './api/connectedApi'
import { useConnectionState } from './api/useConnectionState'
import { SplitPane } from './common/SplitPane'
import { ProcessDetails } from './process-details/ProcessDetails'
import { ProcessTree } from './process-tree/ProcessTree'
import { useProcessStore } from './processes/useProcessStore'
import { Problems } from './status/Problems'
import { StatusBar } from './status/StatusBar'

export function App({ api }: { api: ConnectedApi }) {
  const { store, problem } = useProcessStore(api)
  const connection = useConnectionState(api)
  const [hello, setHello] = useState<Hello | null>(null)
  const [selectedPid, setSelectedPid] = useState<number | null>(null)

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

  return (
    <div className="app">
      <Problems connection={connection} problem={problem} />
      <SplitPane
        top={
          <ProcessTree
            processes={store.processes}
            marks={store.marks}
            selectedPid={selectedPid}
            onSelect={setSelectedPid}
            emptyMessage={emptyMessage}
          />
        }
        bottom={
          <ProcessDetails
            pid={selectedPid}
            entry={selected}
            threads={(selectedPid !== null && store.threads.get(selectedPid)) || []}
            exited={selectedPid !== null && store.marks.get(selectedPid)?.kind === 'removed'}
            parentName={selected && store.processes.get(selected.parentPid)?.exeFile}
          />
        }
      />
      <StatusBar store={store} connection={connection} hello={hello} />
    </div>
  )
}
