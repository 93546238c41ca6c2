// The raw fault records of the selected time window, a page at a time from the main process's ring.
import { useCallback } from 'react'
import type { WatchRecord } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'
import { DataTable, type Column } from '../common/DataTable'
import { ErrorNotice } from '../common/Notice'
import { usePagedRows } from '../common/usePagedRows'
import { fmtCount } from '../../../src-common/model/format/format'
import type { TimeRange } from './timeChart'
import { windowQuery } from './useWindowSummary'
import { symbolText } from '../../../src-common/model/symbols/symbolText'
import { Name, showControls } from '../common/Name'

const COLUMNS: readonly Column<WatchRecord>[] = [
  { id: 't', label: 't (ms)', width: '96px', numeric: true, render: (r) => r.t.toFixed(3) },
  { id: 'tid', label: 'TID', width: '72px', numeric: true, render: (r) => r.tid },
  { id: 'region', label: 'Region', width: '72px', render: (r) => r.region },
  { id: 'va', label: 'Faulting address', width: '140px', mono: true, render: (r) => r.va },
  { id: 'pc', label: 'PC', width: '140px', mono: true, render: (r) => r.pc },
  // names of code and modules come from the inspected process
  { id: 'code', label: 'Faulting code', width: 'minmax(200px, 1fr)', mono: true, render: (r) => <Name>{symbolText(r)}</Name>, title: (r) => showControls(`${symbolText(r)}  ${r.symbol}`) },
  { id: 'module', label: 'Module', width: '140px', render: (r) => <Name>{r.module}</Name>, title: (r) => showControls(r.module) }
]

interface RecordsTableProps {
  api: ConnectedApi
  watchId: number
  range: TimeRange
}

export function RecordsTable({ api, watchId, range }: RecordsTableProps) {
  const query = windowQuery(watchId, range)
  const fetchPage = useCallback(
    (offset: number, limit: number) => api.invoke('watch.query', { ...query, offset, limit }).then((r) => ({ rows: r.records, matched: r.matched })),
    [api, query.watchId, query.fromMs, query.toMs]
  )
  const records = usePagedRows<WatchRecord>(`${query.watchId}:${query.fromMs}:${query.toMs}`, fetchPage)
  if (records.problem) return <ErrorNotice what="Reading the records of the selection" problem={records.problem} testId="records-error" />
  return (
    <div className="records">
      <p className="records-caption" data-testid="records-caption">
        {records.total === null ? 'Reading records…' : `${fmtCount(records.total)} records between ${(range.from / 1000).toFixed(2)} s and ${(range.to / 1000).toFixed(2)} s`}
      </p>
      <DataTable
        label="Fault records of the selection"
        testId="records-table"
        rowTestId="record-row"
        columns={COLUMNS}
        count={records.total ?? 0}
        rowAt={records.rowAt}
        onWindow={records.onWindow}
        rowData={(r) => ({ symbol: r.symbol, code: symbolText(r) })}
      />
    </div>
  )
}
