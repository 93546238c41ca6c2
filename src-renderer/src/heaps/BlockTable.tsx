// Every block of the walk, in address order, a page at a time from the main process: the table
// scrolls over the whole count (a million rows and more) while only the pages in view are held.
import { useCallback, type RefObject } from 'react'
import type { HeapBlockFilter, HeapBlockRow } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'
import { DataTable, type Column } from '../common/DataTable'
import { ErrorNotice } from '../common/Notice'
import { usePagedRows } from '../common/usePagedRows'
import type { VirtualListHandle } from '../common/VirtualList'
import { fmtCount } from '../../../src-common/model/format/format'

const FLAG_LABEL = { fixed: 'used', free: 'free', moveable: 'moveable' } as const
const end = (b: HeapBlockRow) => '0x' + (BigInt(b.address) + BigInt(b.blockSize)).toString(16)

const COLUMNS: readonly Column<HeapBlockRow>[] = [
  { id: 'index', label: '#', width: '90px', numeric: true, render: (b) => fmtCount(b.index) },
  { id: 'address', label: 'Address', width: '140px', mono: true, render: (b) => b.address },
  { id: 'end', label: 'End', width: '140px', mono: true, render: end },
  { id: 'size', label: 'Size (bytes)', width: '110px', numeric: true, render: (b) => fmtCount(b.blockSize) },
  { id: 'flags', label: 'State', width: '90px', render: (b) => <span className={`flag flag-${b.flags}`}>{FLAG_LABEL[b.flags]}</span> },
  { id: 'fill', label: '', width: 'minmax(0, 1fr)', render: () => null }
]

const filterKey = (f: HeapBlockFilter) => `${f.minSize ?? ''}:${f.maxSize ?? ''}:${(f.flags ?? []).join()}`

interface BlockTableProps {
  api: ConnectedApi
  viewId: number
  filter: HeapBlockFilter
  selected: number | null
  onSelect(position: number): void
  handle: RefObject<VirtualListHandle | null>
}

export function BlockTable({ api, viewId, filter, selected, onSelect, handle }: BlockTableProps) {
  const fetchPage = useCallback(
    (offset: number, limit: number) => api.invoke('heap.blocks', { viewId, offset, limit, ...filter }).then((p) => ({ rows: p.blocks, matched: p.matched })),
    [api, viewId, filterKey(filter)]
  )
  const blocks = usePagedRows<HeapBlockRow>(`${viewId}|${filterKey(filter)}`, fetchPage)
  if (blocks.problem) return <ErrorNotice what="Reading blocks of the walk" problem={blocks.problem} testId="blocks-error" />
  return (
    <>
      <p className="muted small block-count" data-testid="block-count" data-count={blocks.total ?? ''}>
        {blocks.total === null ? 'Reading blocks…' : `${fmtCount(blocks.total)} blocks${filterKey(filter) === '::' ? '' : ' match the filter'}`}
      </p>
      <DataTable
        label="Heap blocks"
        testId="block-table"
        rowTestId="block-row"
        columns={COLUMNS}
        count={blocks.total ?? 0}
        rowAt={blocks.rowAt}
        rowKey={(b) => b.index}
        rowData={(b) => ({ address: b.address, flags: b.flags })}
        onWindow={blocks.onWindow}
        selected={selected}
        onSelect={onSelect}
        handle={handle}
      />
    </>
  )
}
