// The module list's columns: what each shows and sorts by.
import type { ModuleEntry } from '../../../src-common/contract/contract'
import type { Column } from '../common/DataTable'
import { sortRows } from '../common/sortRows'
import { fmtBytes, fmtCount } from '../../../src-common/model/format/format'

export interface ModuleRow extends ModuleEntry {
  /** faults whose pc lies in the module (null: no watch of this process) */
  faults: number | null
}

export interface ModuleColumn extends Column<ModuleRow> {
  sortValue(row: ModuleRow): number | string
}

const end = (m: ModuleRow) => '0x' + (BigInt(m.baseAddress) + BigInt(m.baseSize)).toString(16)

export const MODULE_COLUMNS: readonly ModuleColumn[] = [
  {
    id: 'name',
    label: 'Module',
    width: 'minmax(160px, 1.2fr)',
    sortable: true,
    render: (m) => (m.deleted ? `${m.moduleName} (deleted)` : m.moduleName),
    title: (m) => (m.deleted ? 'The file was deleted or replaced after it was loaded' : m.moduleName),
    sortValue: (m) => m.moduleName
  },
  { id: 'base', label: 'Base', width: '130px', mono: true, sortable: true, render: (m) => m.baseAddress, sortValue: (m) => Number(m.baseAddress) },
  { id: 'end', label: 'End', width: '130px', mono: true, render: end, sortValue: (m) => Number(m.baseAddress) + m.baseSize },
  { id: 'size', label: 'Size', width: '84px', numeric: true, sortable: true, render: (m) => fmtBytes(m.baseSize), title: (m) => `${fmtCount(m.baseSize)} bytes`, sortValue: (m) => m.baseSize },
  { id: 'faults', label: 'Faults', width: '84px', numeric: true, sortable: true, render: (m) => (m.faults === null ? '—' : fmtCount(m.faults)), sortValue: (m) => m.faults ?? -1 },
  { id: 'path', label: 'Path', width: 'minmax(240px, 2fr)', mono: true, sortable: true, render: (m) => m.exePath || '—', title: (m) => m.exePath, sortValue: (m) => m.exePath }
]

export const sortModules = (rows: readonly ModuleRow[], column: string, dir: 'asc' | 'desc'): ModuleRow[] => sortRows(rows, MODULE_COLUMNS, column, dir)

/** A case-insensitive substring of the name or the path. */
export const matchesModule = (m: ModuleEntry, query: string): boolean => {
  const q = query.trim().toLowerCase()
  return !q || m.moduleName.toLowerCase().includes(q) || m.exePath.toLowerCase().includes(q)
}
