// One row of the process tree. Memoized: on scroll most rows keep their props and are not re-rendered.
import { memo, type CSSProperties } from 'react'
import type { ProcessEntry } from '../../../src-common/contract/contract'
import { Name, showControls } from '../common/Name'
import type { MarkKind } from '../processes/processStore'
import { COLUMNS } from './columns'
import type { FlatRow } from './tree'

export const INDENT_PX = 12
const DATA_COLUMNS = COLUMNS.filter((c) => c.id !== 'name')

interface ProcessRowProps {
  row: FlatRow
  entry: ProcessEntry
  state: MarkKind | ''
  selected: boolean
  /** shown only as the ancestor of a filter match */
  context: boolean
  style: CSSProperties
  onSelect(pid: number): void
  onToggle(pid: number): void
}

export const rowId = (pid: number) => `process-row-${pid}`

export const ProcessRow = memo(function ProcessRow({
  row,
  entry,
  state,
  selected,
  context,
  style,
  onSelect,
  onToggle
}: ProcessRowProps) {
  const classes = ['process-row', state && `row-${state}`, selected && 'selected', context && 'context']
  return (
    <div
      role="row"
      id={rowId(row.pid)}
      className={classes.filter(Boolean).join(' ')}
      style={style}
      data-testid="process-row"
      data-pid={row.pid}
      data-depth={row.depth}
      data-state={state}
      aria-level={row.depth + 1}
      aria-expanded={row.hasChildren ? row.expanded : undefined}
      aria-selected={selected}
      onClick={() => onSelect(row.pid)}
      onDoubleClick={() => row.hasChildren && onToggle(row.pid)}
    >
      <div role="gridcell" className="cell name" data-col="name" style={{ paddingLeft: row.depth * INDENT_PX }}>
        {row.hasChildren ? (
          <button
            type="button"
            className="caret"
            tabIndex={-1}
            data-testid="toggle"
            aria-label={`${row.expanded ? 'Collapse' : 'Expand'} ${showControls(entry.exeFile)}`}
            onClick={(e) => {
              e.stopPropagation()
              onToggle(row.pid)
            }}
            onDoubleClick={(e) => e.stopPropagation()}
          >
            {row.expanded ? '▾' : '▸'}
          </button>
        ) : (
          <span className="caret" />
        )}
        <Name className="cell-text" title={entry.exePath || entry.exeFile}>
          {entry.exeFile}
        </Name>
      </div>
      {DATA_COLUMNS.map((column) => {
        const text = column.text(entry)
        return (
          <div
            key={column.id}
            role="gridcell"
            className={column.numeric ? 'cell num' : 'cell'}
            data-col={column.id}
            title={column.id === 'cmdline' ? showControls(text) : undefined}
          >
            {column.numeric ? text : <Name>{text}</Name>}
          </div>
        )
      })}
    </div>
  )
})
