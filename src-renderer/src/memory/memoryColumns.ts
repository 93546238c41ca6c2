// The region table's columns, and the growth since the previous read: of each region (matched by
// its start address; a region that is new grew by all it has) and of each kind.
import type { MemoryKindTotal, MemoryMapDoc, MemoryMapRegion } from '../../../src-common/contract/contract'
import type { Column } from '../common/DataTable'
import { sortRows } from '../common/sortRows'
import { fmtBytes, fmtCount } from '../../../src-common/model/format/format'

export interface Growth {
  resident: number
  private: number
}

export interface RegionRow extends MemoryMapRegion {
  /** null: there is no previous read to compare with */
  growth: Growth | null
}

export interface RegionColumn extends Column<RegionRow> {
  sortValue(row: RegionRow): number | string
}

const grown = (now: { residentBytes: number; privateBytes: number }, before: { residentBytes: number; privateBytes: number } | undefined): Growth => ({
  resident: now.residentBytes - (before?.residentBytes ?? 0),
  private: now.privateBytes - (before?.privateBytes ?? 0)
})

export function regionRows(doc: MemoryMapDoc, previous: MemoryMapDoc | null): RegionRow[] {
  const before = previous && new Map(previous.regions.map((r) => [r.start, r]))
  return doc.regions.map((r) => ({ ...r, growth: before ? grown(r, before.get(r.start)) : null }))
}

/** Growth of each kind's totals (null without a previous read). */
export function kindGrowth(doc: MemoryMapDoc, previous: MemoryMapDoc | null): Map<string, Growth> | null {
  if (!previous) return null
  const before = new Map(previous.totals.map((t) => [t.kind, t]))
  return new Map(doc.totals.map((t: MemoryKindTotal) => [t.kind, grown(t, before.get(t.kind))]))
}

/** "+12.0 KiB", "−4.0 KiB", "0 B" */
export const fmtGrowth = (n: number): string => (n > 0 ? `+${fmtBytes(n)}` : n < 0 ? `−${fmtBytes(-n)}` : '0 B')

const bytes = (id: string, label: string, value: (r: RegionRow) => number): RegionColumn => ({
  id,
  label,
  width: '92px',
  numeric: true,
  sortable: true,
  render: (r) => fmtBytes(value(r)),
  title: (r) => `${fmtCount(value(r))} bytes`,
  sortValue: value
})
const growth = (id: string, label: string, value: (g: Growth) => number): RegionColumn => ({
  id,
  label,
  width: '92px',
  numeric: true,
  sortable: true,
  render: (r) => (r.growth ? fmtGrowth(value(r.growth)) : '—'),
  sortValue: (r) => (r.growth ? value(r.growth) : 0)
})

export const REGION_COLUMNS: readonly RegionColumn[] = [
  { id: 'start', label: 'Start', width: '130px', mono: true, sortable: true, render: (r) => r.start, sortValue: (r) => Number(BigInt(r.start)) },
  { id: 'kind', label: 'Kind', width: '96px', sortable: true, render: (r) => r.kind, sortValue: (r) => r.kind },
  { id: 'perms', label: 'Perms', width: '56px', mono: true, render: (r) => r.perms, sortValue: (r) => r.perms },
  bytes('size', 'Size', (r) => r.sizeBytes),
  bytes('resident', 'Resident', (r) => r.residentBytes),
  bytes('private', 'Private', (r) => r.privateBytes),
  bytes('swap', 'Swap', (r) => r.swapBytes),
  growth('residentGrowth', 'Δ Resident', (g) => g.resident),
  growth('privateGrowth', 'Δ Private', (g) => g.private),
  { id: 'path', label: 'Path', width: 'minmax(200px, 2fr)', mono: true, sortable: true, render: (r) => r.path || '—', title: (r) => r.path, sortValue: (r) => r.path }
]

export const sortRegions = (rows: readonly RegionRow[], column: string, dir: 'asc' | 'desc'): RegionRow[] => sortRows(rows, REGION_COLUMNS, column, dir)
