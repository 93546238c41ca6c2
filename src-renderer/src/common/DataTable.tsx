// A dense, virtualized, keyboard-navigable table: sortable headers, aligned numbers, one selected
// row. Rows come from `rowAt`, which may not have a row yet (a page still on its way): such rows
// are drawn as placeholders of the same height, so nothing jumps when they arrive.
import { memo, useRef, type CSSProperties, type KeyboardEvent, type ReactNode, type RefObject } from 'react'
import { VirtualList, type VirtualListHandle } from './VirtualList'

export interface Column<R> {
  id: string
  label: string
  /** a CSS grid track: "90px", "minmax(200px, 1fr)" */
  width: string
  numeric?: boolean
  mono?: boolean
  sortable?: boolean
  render(row: R): ReactNode
  title?(row: R): string
}

export interface SortState {
  column: string
  dir: 'asc' | 'desc'
}

/** The next sort after a click on `column`: a second click reverses. */
export const toggleSort = (sort: SortState, column: string): SortState => ({
  column,
  dir: sort.column === column && sort.dir === 'asc' ? 'desc' : 'asc'
})

interface DataTableProps<R> {
  label: string
  testId: string
  rowTestId: string
  columns: readonly Column<R>[]
  count: number
  rowAt(index: number): R | undefined
  rowKey?(row: R, index: number): string | number
  /** data-* attributes of a row (tests and e2e find rows by them) */
  rowData?(row: R): Record<string, string | number>
  rowClass?(row: R): string
  selected?: number | null
  onSelect?(index: number): void
  /** Enter or a double click */
  onActivate?(index: number): void
  sort?: SortState
  onSort?(column: string): void
  onWindow?(first: number, end: number): void
  handle?: RefObject<VirtualListHandle | null>
  rowHeight?: number
  className?: string
}

const cellClass = (c: Column<unknown>) => ['cell', c.numeric && 'num', c.mono && 'mono'].filter(Boolean).join(' ')

export function DataTable<R>({
  label,
  testId,
  rowTestId,
  columns,
  count,
  rowAt,
  rowKey = (_, i) => i,
  rowData,
  rowClass,
  selected = null,
  onSelect,
  onActivate,
  sort,
  onSort,
  onWindow,
  handle,
  rowHeight = 22,
  className
}: DataTableProps<R>) {
  const own = useRef<VirtualListHandle>(null)
  const list = handle ?? own
  const template = columns.map((c) => c.width).join(' ')
  const rowId = (index: number) => `${testId}-row-${index}`

  const select = (index: number) => {
    if (count === 0 || !onSelect) return
    const at = Math.max(0, Math.min(count - 1, index))
    onSelect(at)
    list.current?.scrollIntoView(at)
  }
  const onKeyDown = (e: KeyboardEvent) => {
    const at = selected ?? -1
    const page = list.current?.rowsPerPage ?? 10
    const moves: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: at - 1,
      PageDown: at + page,
      PageUp: at - page,
      Home: 0,
      End: count - 1
    }
    if (e.key in moves) select(moves[e.key])
    else if (e.key === 'Enter' && selected !== null && onActivate) onActivate(selected)
    else return
    e.preventDefault()
  }

  const header = (
    <div role="row" className="dt-header">
      {columns.map((c) => {
        const active = sort?.column === c.id
        return (
          <div
            key={c.id}
            role="columnheader"
            className={cellClass(c as Column<unknown>)}
            data-col={c.id}
            aria-sort={c.sortable ? (active ? (sort!.dir === 'asc' ? 'ascending' : 'descending') : 'none') : undefined}
          >
            {c.sortable && onSort ? (
              <button type="button" tabIndex={-1} data-testid={`${testId}-sort-${c.id}`} onClick={() => onSort(c.id)}>
                {c.label}
                <span className="sort-arrow" aria-hidden>
                  {active ? (sort!.dir === 'asc' ? '▲' : '▼') : ''}
                </span>
              </button>
            ) : (
              c.label
            )}
          </div>
        )
      })}
    </div>
  )

  const renderRow = (index: number, style: CSSProperties) => {
    const row = rowAt(index)
    if (row === undefined)
      return <div role="row" key={`loading-${index}`} className="dt-row loading" style={style} data-testid={`${rowTestId}-loading`} aria-busy />
    return (
      <DataRow<R>
        key={rowKey(row, index)}
        row={row}
        index={index}
        id={rowId(index)}
        style={style}
        columns={columns}
        testId={rowTestId}
        selected={index === selected}
        rowClass={rowClass}
        rowData={rowData}
        onSelect={onSelect}
        onActivate={onActivate}
      />
    )
  }

  return (
    <VirtualList
      handle={list}
      className={className ? `data-table ${className}` : 'data-table'}
      style={{ '--cols': template } as CSSProperties}
      role="grid"
      aria-label={label}
      aria-rowcount={count}
      aria-activedescendant={selected !== null && selected < count ? rowId(selected) : undefined}
      tabIndex={0}
      data-testid={testId}
      onKeyDown={onKeyDown}
      count={count}
      rowHeight={rowHeight}
      header={header}
      headerHeight={rowHeight + 2}
      renderRow={renderRow}
      onWindow={onWindow}
    />
  )
}

interface DataRowProps<R> {
  row: R
  index: number
  id: string
  style: CSSProperties
  columns: readonly Column<R>[]
  testId: string
  selected: boolean
  rowClass?(row: R): string
  rowData?(row: R): Record<string, string | number>
  onSelect?(index: number): void
  onActivate?(index: number): void
}

/**
 * One row. Memoized on shallow props (the functions are the table's, unchanged while it scrolls): on a
 * scroll step only the rows that came into view render.
 */
const DataRow = memo(function DataRow<R>({ row, index, id, style, columns, testId, selected, rowClass, rowData, onSelect, onActivate }: DataRowProps<R>) {
  const attributes = Object.fromEntries(Object.entries(rowData?.(row) ?? {}).map(([k, v]) => [`data-${k}`, v]))
  return (
    <div
      role="row"
      id={id}
      className={['dt-row', selected && 'selected', rowClass?.(row)].filter(Boolean).join(' ')}
      style={style}
      data-testid={testId}
      data-index={index}
      aria-selected={selected}
      onClick={() => onSelect?.(index)}
      onDoubleClick={() => onActivate?.(index)}
      {...attributes}
    >
      {columns.map((c) => (
        <div key={c.id} role="gridcell" className={cellClass(c as Column<unknown>)} data-col={c.id} title={c.title?.(row)}>
          {c.render(row)}
        </div>
      ))}
    </div>
  )
}) as <R>(props: DataRowProps<R> & { key?: string | number }) => ReactNode
