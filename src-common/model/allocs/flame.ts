// The flame graph of a call tree: one rectangle per node, as wide as its share of the root's metric,
// a row per depth (the root's children at row 0). Nodes narrower than `minWidth` (a fraction of the
// whole) are left out with their subtrees, which bounds what a view draws whatever the tree. Pure.
import type { AllocMetric, CallNode } from './callTree'

export interface FlameRect {
  node: CallNode
  /** left edge and width, fractions of the whole width */
  x: number
  width: number
  /** row: 0 for the root's children */
  row: number
}

export interface FlameLayout {
  rects: FlameRect[]
  rows: number
  /** the root's total of the metric: what the whole width stands for */
  total: number
}

/** At most `maxRects` rectangles, the widest kept first (breadth by width). */
export function flameLayout(root: CallNode, metric: AllocMetric, minWidth = 0.002, maxRects = 5_000): FlameLayout {
  const total = root.total[metric]
  const rects: FlameRect[] = []
  let rows = 0
  if (total <= 0) return { rects, rows, total }
  let level: { node: CallNode; x: number }[] = [{ node: root, x: 0 }]
  for (let row = 0; level.length > 0 && rects.length < maxRects; row++) {
    const next: { node: CallNode; x: number }[] = []
    for (const { node, x } of level) {
      let left = x
      for (const child of node.children) {
        const width = child.total[metric] / total
        if (width >= minWidth && rects.length < maxRects) {
          rects.push({ node: child, x: left, width, row })
          rows = row + 1
          next.push({ node: child, x: left })
        }
        left += width
      }
    }
    level = next
  }
  return { rects, rows, total }
}
