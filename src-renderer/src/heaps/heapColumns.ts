// The heap list's columns: the heap list entry, with used and free totals from a summary walk.
import type { HeapListEntry, HeapSummary } from '../../../src-common/contract/contract'
import type { Column } from '../common/DataTable'
import { fmtBytes, fmtCount } from '../../../src-common/model/format/format'

export interface HeapRow extends HeapListEntry {
  summary: HeapSummary | undefined
}

const dash = '—'
const ofSummary = (pick: (s: HeapSummary) => string) => (h: HeapRow) => (h.summary ? pick(h.summary) : h.walkable ? '…' : dash)

export const HEAP_COLUMNS: readonly Column<HeapRow>[] = [
  { id: 'heapId', label: 'Heap', width: '130px', mono: true, render: (h) => h.heapId },
  { id: 'kind', label: 'Kind', width: '180px', render: (h) => (h.isDefault ? `${h.kind} (default)` : h.kind), title: (h) => `${h.allocator} ${h.kind}` },
  { id: 'base', label: 'Base', width: '130px', mono: true, render: (h) => h.baseAddress },
  { id: 'size', label: 'Size', width: '80px', numeric: true, render: (h) => fmtBytes(h.size) },
  { id: 'blocks', label: 'Blocks', width: '90px', numeric: true, render: ofSummary((s) => fmtCount(s.blockCount)) },
  { id: 'used', label: 'Used', width: '90px', numeric: true, render: ofSummary((s) => fmtBytes(s.usedBytes)), title: (h) => (h.summary ? `${fmtCount(h.summary.usedBlocks)} blocks in use` : '') },
  { id: 'free', label: 'Free', width: '90px', numeric: true, render: ofSummary((s) => fmtBytes(s.freeBytes)), title: (h) => (h.summary ? `${fmtCount(h.summary.freeBlocks)} free blocks` : '') },
  {
    id: 'freeShare',
    label: 'Free %',
    width: '64px',
    numeric: true,
    render: ofSummary((s) => (s.usedBytes + s.freeBytes > 0 ? `${((100 * s.freeBytes) / (s.usedBytes + s.freeBytes)).toFixed(1)}%` : dash))
  },
  { id: 'note', label: 'Note', width: 'minmax(200px, 1fr)', render: (h) => h.note, title: (h) => h.note }
]
