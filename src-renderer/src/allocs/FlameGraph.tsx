// The flame graph of a call tree (SVG): outermost callers at the bottom row, each frame as wide as its
// share of the metric. Hover names a frame with its numbers; a click picks it (its stacks fill the
// side panel), a double click zooms to it (its callees over the whole width). Search hits are marked.
import { memo, useMemo, useState } from 'react'
import { frameName, frameMatches, METRIC_UNITS, type AllocMetric, type CallNode } from '../../../src-common/model/allocs/callTree'
import { flameLayout } from '../../../src-common/model/allocs/flame'
import { fmtBytes, fmtCount } from '../../../src-common/model/format/format'
import { useElementSize } from '../common/useElementSize'
import { usePalette } from '../theme/ThemeContext'

const ROW = 18

interface FlameGraphProps {
  root: CallNode
  metric: AllocMetric
  /** lower-cased search, '' for none */
  query: string
  picked: string | null
  onPick(node: CallNode): void
}

export const FlameGraph = memo(function FlameGraph({ root, metric, query, picked, onPick }: FlameGraphProps) {
  const palette = usePalette()
  const [ref, size] = useElementSize<HTMLDivElement>({ width: 800, height: 240 })
  // the zoomed node by id: a new tree (a live update) keeps the zoom where that node still is
  const [zoomId, setZoomId] = useState<string | null>(null)
  const zoomed = useMemo(() => (zoomId ? findNode(root, zoomId) : undefined), [root, zoomId])
  const base = zoomed ? { ...root, total: zoomed.total, children: [zoomed] } : root
  const layout = useMemo(() => flameLayout(base, metric, 1 / Math.max(200, size.width)), [root, zoomed, metric, size.width])
  const fmt = METRIC_UNITS[metric] === 'bytes' ? fmtBytes : fmtCount
  const height = Math.max(ROW, layout.rows * ROW)
  return (
    <section className="flame" aria-label="Flame graph" data-testid="flame-graph" data-rects={layout.rects.length}>
      {zoomed && (
        <p className="small flame-zoom">
          Zoomed to <strong>{frameName(zoomed.frame!)}</strong>{' '}
          <button type="button" className="link-button" data-testid="flame-unzoom" onClick={() => setZoomId(null)}>
            Show all
          </button>
        </p>
      )}
      <div className="flame-plot" ref={ref}>
        {layout.total <= 0 ? (
          <p className="muted small">Nothing to draw by this measure yet.</p>
        ) : (
          <svg width={size.width} height={height} role="img" aria-label={`Flame graph by ${metric}`}>
            {layout.rects.map((r) => {
              const x = r.x * size.width
              const w = Math.max(1, r.width * size.width - 1)
              const y = height - (r.row + 1) * ROW
              const name = frameName(r.node.frame!)
              const hit = query !== '' && frameMatches(r.node.frame!, query)
              const fill = r.node.id === picked ? palette.selection : hit ? palette.lost : palette.series[(name.length + r.row) % palette.series.length]
              return (
                <g
                  key={r.node.id}
                  transform={`translate(${x},${y})`}
                  onClick={() => onPick(r.node)}
                  onDoubleClick={() => setZoomId(r.node.id)}
                  cursor="pointer"
                  data-testid="flame-rect"
                  data-name={name}
                  data-width={r.width}
                >
                  <rect width={w} height={ROW - 1} fill={fill} fillOpacity={hit || r.node.id === picked ? 1 : 0.8} />
                  <title>{`${name}\n${fmt(r.node.total[metric])} (${((100 * r.node.total[metric]) / layout.total).toFixed(1)}%)`}</title>
                  {w > 40 && (
                    <text x={4} y={ROW - 5} fontSize={11} fill="#fff" style={{ pointerEvents: 'none' }}>
                      {name.length * 6.5 > w - 8 ? name.slice(0, Math.max(1, Math.floor((w - 8) / 6.5) - 1)) + '…' : name}
                    </text>
                  )}
                </g>
              )
            })}
          </svg>
        )}
      </div>
    </section>
  )
})

function findNode(node: CallNode, id: string): CallNode | undefined {
  if (node.id === id) return node
  // ids are paths: only the child whose id starts this one's can hold it
  const next = node.children.find((c) => id === c.id || id.startsWith(c.id + '\u001f'))
  return next && findNode(next, id)
}
