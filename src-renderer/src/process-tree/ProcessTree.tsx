// The process tree: toolbar, sortable headers and a virtualized, keyboard-navigable list of rows.
import { useCallback, useDeferredValue, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react'
import type { ProcessEntry } from '../../../src-common/contract/contract'
import { VirtualList, type VirtualListHandle } from '../common/VirtualList'
import type { Mark } from '../processes/processStore'
import { columnById, type ColumnId } from './columns'
import { ProcessRow, rowId } from './ProcessRow'
import { buildTree, filterTree, flattenTree, parentPids, sameShape, sortTree, type ProcessTreeModel, type SortOrder } from './tree'
import { TreeHeader } from './TreeHeader'
import { TreeToolbar } from './TreeToolbar'
import { useCollapsed } from './useCollapsed'

export const ROW_HEIGHT = 24

interface ProcessTreeProps {
  processes: ReadonlyMap<number, ProcessEntry>
  marks: ReadonlyMap<number, Mark>
  selectedPid: number | null
  onSelect(pid: number): void
  /** what to show while there are no processes at all */
  emptyMessage: string
}

export function ProcessTree({ processes, marks, selectedPid, onSelect, emptyMessage }: ProcessTreeProps) {
  const [filter, setFilter] = useState('')
  // Typing stays responsive while the filtered tree for 5,000 processes is computed behind it.
  const query = useDeferredValue(filter)
  const [order, setOrder] = useState<SortOrder>({ column: 'pid', dir: 'asc' })
  const [collapsed, updateCollapsed] = useCollapsed(query)
  const list = useRef<VirtualListHandle>(null)

  // The once-a-second refresh mostly changes figures, not the shape: the tree (and, sorted by a column
  // that does not move, its order and rows) is kept, so a refresh of 5,000 processes costs a comparison.
  const shape = useRef<ProcessTreeModel | null>(null)
  const tree = useMemo(() => {
    const kept = shape.current
    return (shape.current = kept && sameShape(kept, processes) ? kept : buildTree(processes))
  }, [processes])
  const live = columnById(order.column).live ?? false
  const sorted = useMemo(() => sortTree(live ? { ...tree, byPid: processes } : tree, order), [tree, order, live && processes])
  const matched = useMemo(() => filterTree({ ...tree, byPid: processes }, query), [tree, processes, query])
  const rows = useMemo(() => flattenTree(sorted, collapsed, matched), [sorted, collapsed, matched])
  const indexOf = useMemo(() => new Map(rows.map((row, i) => [row.pid, i])), [rows])

  // Stable identity: rows are memoized.
  const toggle = useCallback(
    (pid: number) =>
      updateCollapsed((current) => {
        const next = new Set(current)
        if (!next.delete(pid)) next.add(pid)
        return next
      }),
    [updateCollapsed]
  )

  const selectAt = (index: number) => {
    const row = rows[index]
    if (!row) return
    onSelect(row.pid)
    list.current?.scrollIntoView(index)
  }

  const onSort = (column: ColumnId) =>
    setOrder((o) => ({ column, dir: o.column === column && o.dir === 'asc' ? 'desc' : 'asc' }))

  const selectedIndex = selectedPid === null ? -1 : (indexOf.get(selectedPid) ?? -1)
  // When the filter changes (set or cleared), show the selected process, or the top of the new list.
  // Deliberately not on every refresh: live updates must not yank the scroll position.
  useLayoutEffect(() => {
    list.current?.scrollIntoView(Math.max(selectedIndex, 0))
  }, [query])

  const onKeyDown = (e: KeyboardEvent) => {
    const row = rows[selectedIndex]
    switch (e.key) {
      case 'ArrowDown':
        selectAt(Math.min(selectedIndex + 1, rows.length - 1))
        break
      case 'ArrowUp':
        selectAt(Math.max(selectedIndex - 1, 0))
        break
      case 'Home':
        selectAt(0)
        break
      case 'End':
        selectAt(rows.length - 1)
        break
      case 'ArrowLeft':
        if (row?.hasChildren && row.expanded) toggle(row.pid)
        else if (row) {
          const parent = sorted.parentOf.get(row.pid)
          if (parent !== undefined && indexOf.has(parent)) selectAt(indexOf.get(parent)!)
        }
        break
      case 'ArrowRight':
        if (row?.hasChildren && !row.expanded) toggle(row.pid)
        else if (row?.hasChildren) selectAt(selectedIndex + 1)
        break
      case 'Enter':
        selectAt(Math.max(selectedIndex, 0))
        break
      default:
        return
    }
    e.preventDefault()
  }

  const jumpToFirstMatch = () => {
    const first = matched ? rows.findIndex((r) => matched.matches.has(r.pid)) : 0
    selectAt(first)
    list.current?.focus()
  }

  const renderRow = (index: number, style: CSSProperties) => {
    const row = rows[index]
    const pid = row.pid
    return (
      <ProcessRow
        key={pid}
        row={row}
        entry={processes.get(pid)!}
        state={marks.get(pid)?.kind ?? ''}
        selected={pid === selectedPid}
        context={matched !== null && !matched.matches.has(pid)}
        style={style}
        onSelect={onSelect}
        onToggle={toggle}
      />
    )
  }

  const empty =
    processes.size === 0
      ? emptyMessage
      : rows.length === 0
        ? `No process matches “${query.trim()}”. Try part of a name or command line, or an exact PID — Esc clears the filter.`
        : null

  return (
    <section className="process-tree" aria-label="Processes">
      <TreeToolbar
        filter={filter}
        onFilter={setFilter}
        onJump={jumpToFirstMatch}
        matchCount={matched ? matched.matches.size : null}
        onExpandAll={() => updateCollapsed(() => new Set())}
        onCollapseAll={() => updateCollapsed(() => parentPids(tree))}
      />
      <VirtualList
        handle={list}
        className="tree-grid"
        role="treegrid"
        aria-label="Process tree"
        aria-rowcount={rows.length}
        aria-activedescendant={selectedIndex >= 0 ? rowId(rows[selectedIndex].pid) : undefined}
        tabIndex={0}
        data-testid="process-tree"
        onKeyDown={onKeyDown}
        count={rows.length}
        rowHeight={ROW_HEIGHT}
        header={<TreeHeader order={order} onSort={onSort} />}
        headerHeight={ROW_HEIGHT + 4}
        renderRow={renderRow}
      />
      {empty && (
        <p className="empty" data-testid="tree-empty">
          {empty}
        </p>
      )}
    </section>
  )
}
