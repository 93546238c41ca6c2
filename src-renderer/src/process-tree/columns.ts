// The tree's columns: what each shows and what it sorts by. Widths live in the CSS grid template.
import type { ProcessEntry } from '../../../src-common/contract/contract'
import { commandLine, fmtBytes, fmtCount, fmtTime } from '../../../src-common/model/format/format'

export type ColumnId = 'name' | 'pid' | 'threads' | 'user' | 'workingSet' | 'pageFaults' | 'started' | 'cmdline'

export interface Column {
  id: ColumnId
  label: string
  numeric: boolean
  sortValue(entry: ProcessEntry): number | string
  /** its value moves between refreshes: a sort by it is redone on every refresh */
  live?: boolean
  text(entry: ProcessEntry): string
}

const startedAt = (entry: ProcessEntry) => {
  const t = Date.parse(entry.startTime)
  return Number.isNaN(t) ? 0 : t
}

export const COLUMNS: readonly Column[] = [
  { id: 'name', label: 'Name', numeric: false, sortValue: (e) => e.exeFile, text: (e) => e.exeFile },
  { id: 'pid', label: 'PID', numeric: true, sortValue: (e) => e.pid, text: (e) => String(e.pid) },
  {
    id: 'threads',
    label: 'Threads',
    numeric: true,
    live: true,
    sortValue: (e) => e.threadCount,
    text: (e) => fmtCount(e.threadCount)
  },
  { id: 'user', label: 'User', numeric: false, sortValue: (e) => e.user, text: (e) => e.user },
  {
    id: 'workingSet',
    label: 'Working set',
    numeric: true,
    live: true,
    sortValue: (e) => e.workingSetBytes,
    text: (e) => fmtBytes(e.workingSetBytes)
  },
  {
    id: 'pageFaults',
    label: 'Page faults',
    numeric: true,
    live: true,
    sortValue: (e) => e.pageFaultCount,
    text: (e) => fmtCount(e.pageFaultCount)
  },
  { id: 'started', label: 'Started', numeric: true, sortValue: startedAt, text: (e) => fmtTime(e.startTime, 'local') },
  {
    id: 'cmdline',
    label: 'Command line',
    numeric: false,
    sortValue: (e) => commandLine(e.cmdline),
    text: (e) => commandLine(e.cmdline)
  }
]

export const columnById = (id: ColumnId): Column => COLUMNS.find((c) => c.id === id)!
