// Column headers; a click sorts by that column, a second click reverses the order.
import { COLUMNS, type ColumnId } from './columns'
import type { SortOrder } from './tree'

interface TreeHeaderProps {
  order: SortOrder
  onSort(column: ColumnId): void
}

export function TreeHeader({ order, onSort }: TreeHeaderProps) {
  return (
    <div role="row" className="tree-header">
      {COLUMNS.map((column) => {
        const active = order.column === column.id
        return (
          <div
            key={column.id}
            role="columnheader"
            className={column.numeric ? 'cell num' : 'cell'}
            data-col={column.id}
            aria-sort={active ? (order.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
          >
            <button type="button" data-testid="column-header" data-col={column.id} onClick={() => onSort(column.id)}>
              {column.label}
              <span className="sort-arrow" aria-hidden>
                {active ? (order.dir === 'asc' ? '▲' : '▼') : ''}
              </span>
            </button>
          </div>
        )
      })}
    </div>
  )
}
