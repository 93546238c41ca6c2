// The selected process's threads. Virtualized too: some processes run thousands of threads.
import { useState } from 'react'
import type { ThreadEntry } from '../../../src-common/contract/contract'
import { DataTable, type Column } from '../common/DataTable'
import { fmtCount } from '../../../src-common/model/format/format'

const COLUMNS: readonly Column<ThreadEntry>[] = [
  { id: 'tid', label: 'TID', width: '1fr', numeric: true, render: (t) => t.tid },
  { id: 'base', label: 'Base priority', width: '1fr', numeric: true, render: (t) => t.basePriority },
  { id: 'delta', label: 'Delta priority', width: '1fr', numeric: true, render: (t) => t.deltaPriority }
]

export function ThreadTable({ threads, exited }: { threads: readonly ThreadEntry[]; exited: boolean }) {
  const [selected, setSelected] = useState<number | null>(null)
  if (threads.length === 0)
    return (
      <p className="empty" data-testid="threads-empty">
        {exited ? 'No threads: the process has exited.' : 'No threads reported for this process yet; they appear on the next refresh.'}
      </p>
    )
  return (
    <>
      <h3>Threads ({fmtCount(threads.length)})</h3>
      <DataTable
        label="Threads"
        testId="thread-table"
        rowTestId="thread-row"
        className="thread-grid"
        columns={COLUMNS}
        count={threads.length}
        rowAt={(i) => threads[i]}
        rowKey={(t) => t.tid}
        rowData={(t) => ({ tid: t.tid })}
        selected={selected}
        onSelect={setSelected}
      />
    </>
  )
}
