// A call tree as an expandable table: a row per node (indented by depth), its total and self of the
// chosen measure, allocations and leaked bytes. Enter or a click on the arrow opens a node.
import { memo, useMemo } from 'react'
import { frameName, METRIC_UNITS, visibleRows, type AllocMetric, type CallNode } from '../../../src-common/model/allocs/callTree'
import { fileLineText } from '../../../src-common/model/symbols/symbolText'
import { fmtBytes, fmtCount } from '../../../src-common/model/format/format'
import { Name } from '../common/Name'

/** rows drawn at most: the tree is opened node by node */
const MAX_ROWS = 2_000

interface CallTreeTableProps {
  root: CallNode
  metric: AllocMetric
  expanded: ReadonlySet<string>
  onToggle(id: string): void
  picked: string | null
  onPick(node: CallNode): void
}

export const CallTreeTable = memo(function CallTreeTable({ root, metric, expanded, onToggle, picked, onPick }: CallTreeTableProps) {
  const rows = useMemo(() => visibleRows(root, expanded).slice(0, MAX_ROWS), [root, expanded])
  const fmt = METRIC_UNITS[metric] === 'bytes' ? fmtBytes : fmtCount
  const whole = root.total[metric] || 1
  return (
    <div className="call-tree" role="treegrid" aria-label="Call tree" data-testid="call-tree">
      <div className="ct-row ct-head" role="row">
        <span role="columnheader">Function</span>
        <span role="columnheader" className="num">Total</span>
        <span role="columnheader" className="num">Self</span>
        <span role="columnheader" className="num">Allocations</span>
        <span role="columnheader" className="num">Leaked</span>
      </div>
      {rows.map((n) => {
        const open = expanded.has(n.id)
        const where = fileLineText(n.frame!)
        return (
          <div
            key={n.id}
            role="row"
            aria-level={n.depth}
            aria-expanded={n.children.length ? open : undefined}
            aria-selected={n.id === picked}
            tabIndex={0}
            className={n.id === picked ? 'ct-row picked' : 'ct-row'}
            data-testid="call-tree-row"
            data-name={frameName(n.frame!)}
            data-depth={n.depth}
            onClick={() => onPick(n)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault()
                onToggle(n.id)
              }
            }}
          >
            <span className="ct-name" style={{ paddingLeft: (n.depth - 1) * 14 }}>
              <button
                type="button"
                className="ct-toggle"
                aria-label={open ? 'Close' : 'Open'}
                disabled={n.children.length === 0}
                onClick={(e) => {
                  e.stopPropagation()
                  onToggle(n.id)
                }}
              >
                {n.children.length === 0 ? '·' : open ? '▾' : '▸'}
              </button>
              <Name>{frameName(n.frame!)}</Name>
              {where && <span className="muted small"> {where}</span>}
              {n.frame!.module && <span className="muted small"> · {n.frame!.module}</span>}
            </span>
            <span className="num">
              {fmt(n.total[metric])} <span className="muted small">{((100 * n.total[metric]) / whole).toFixed(1)}%</span>
            </span>
            <span className="num">{fmt(n.self[metric])}</span>
            <span className="num">{fmtCount(n.total.allocations)}</span>
            <span className="num">{fmtBytes(n.total.leakedBytes)}</span>
          </div>
        )
      })}
    </div>
  )
})
