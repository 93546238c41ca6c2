// Filter box and expand/collapse-all buttons above the tree.
import type { KeyboardEvent } from 'react'
import { fmtCount } from '../../../src-common/model/format/format'

interface TreeToolbarProps {
  filter: string
  onFilter(text: string): void
  /** Enter / ArrowDown in the box: go to the first match in the tree */
  onJump(): void
  matchCount: number | null
  onExpandAll(): void
  onCollapseAll(): void
}

export function TreeToolbar({ filter, onFilter, onJump, matchCount, onExpandAll, onCollapseAll }: TreeToolbarProps) {
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Escape') onFilter('')
    else if (e.key === 'Enter' || e.key === 'ArrowDown') {
      e.preventDefault()
      onJump()
    }
  }
  return (
    <div className="toolbar">
      <input
        type="search"
        className="filter"
        data-testid="process-filter"
        placeholder="Filter: name, command line or exact PID"
        aria-label="Filter processes by name, command line or PID"
        value={filter}
        onChange={(e) => onFilter(e.target.value)}
        onKeyDown={onKeyDown}
      />
      {matchCount !== null && (
        <span className="match-count" data-testid="match-count">
          {matchCount === 1 ? '1 match' : `${fmtCount(matchCount)} matches`}
        </span>
      )}
      <span className="spacer" />
      <button type="button" data-testid="expand-all" onClick={onExpandAll}>
        Expand all
      </button>
      <button type="button" data-testid="collapse-all" onClick={onCollapseAll}>
        Collapse all
      </button>
    </div>
  )
}
