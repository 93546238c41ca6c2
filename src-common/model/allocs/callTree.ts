// Call trees of an allocations document, as heaptrack shows them: top-down (from the outermost caller
// towards the allocator) and bottom-up (from the code that called the allocator out to its callers).
// A node merges the frames of one function (its name and module; an unnamed frame by its address), so
// the calls a function makes from different lines add up. Each node has what the stacks through it
// allocated (total) and what it allocated itself (self: the stacks ending there). Pure.
import type { AllocFrame, AllocStack } from '../../contract/allocTypes'
import { codeText } from '../symbols/symbolText'

export const ALLOC_METRICS = ['leakedBytes', 'bytes', 'allocations', 'temporary', 'leakedBlocks'] as const
export type AllocMetric = (typeof ALLOC_METRICS)[number]
export type Metrics = Record<AllocMetric, number>

export const METRIC_LABELS: Record<AllocMetric, string> = {
  leakedBytes: 'Leaked bytes',
  bytes: 'Bytes allocated',
  allocations: 'Allocations',
  temporary: 'Temporary',
  leakedBlocks: 'Leaked blocks'
}
export const METRIC_UNITS: Record<AllocMetric, 'bytes' | 'count'> = {
  leakedBytes: 'bytes',
  bytes: 'bytes',
  allocations: 'count',
  temporary: 'count',
  leakedBlocks: 'count'
}

export const zeroMetrics = (): Metrics => ({ leakedBytes: 0, bytes: 0, allocations: 0, temporary: 0, leakedBlocks: 0 })

export const stackMetrics = (s: AllocStack): Metrics => ({
  leakedBytes: s.leaked.bytes,
  bytes: s.bytes,
  allocations: s.allocations,
  temporary: s.temporary,
  leakedBlocks: s.leaked.blocks
})

function addTo(m: Metrics, d: Metrics): void {
  for (const k of ALLOC_METRICS) m[k] += d[k]
}

/** What identifies a frame's code across processes and runs: its function and module, else module+offset, else the address. */
export function frameKey(f: AllocFrame): string {
  if (f.function) return `${f.function}\0${f.module ?? ''}`
  if (f.module && f.moduleOffset !== undefined) return `${f.module}+${f.moduleOffset}`
  return f.address
}

/** How a frame reads: "leak_here  fixture.c:42" parts, the function (or module+offset, or the address) first. */
export function frameName(f: AllocFrame): string {
  return codeText({ function: f.function, module: f.module, moduleOffset: f.moduleOffset }) || f.address
}

export interface CallNode {
  /** the path of frame keys from the root, joined: unique in its tree */
  id: string
  /** null at the root */
  frame: AllocFrame | null
  depth: number
  total: Metrics
  self: Metrics
  /** indexes of the stacks through this node */
  stacks: number[]
  children: CallNode[]
}

export type TreeDirection = 'top-down' | 'bottom-up'

/** The tree of `stacks` (only those in `only` when given), children sorted by `metric`, most first. */
export function buildCallTree(stacks: readonly AllocStack[], direction: TreeDirection, metric: AllocMetric = 'leakedBytes', only?: ReadonlySet<number>): CallNode {
  const root: CallNode = { id: '', frame: null, depth: 0, total: zeroMetrics(), self: zeroMetrics(), stacks: [], children: [] }
  const index = new Map<CallNode, Map<string, CallNode>>()
  stacks.forEach((stack, i) => {
    if (only && !only.has(i)) return
    const m = stackMetrics(stack)
    addTo(root.total, m)
    root.stacks.push(i)
    // frames are innermost first: top-down walks them from the end
    const frames = direction === 'top-down' ? [...stack.frames].reverse() : stack.frames
    let node = root
    for (const frame of frames) {
      const key = frameKey(frame)
      let kids = index.get(node)
      if (!kids) index.set(node, (kids = new Map()))
      let child = kids.get(key)
      if (!child) {
        child = { id: `${node.id}\u001f${key}`, frame, depth: node.depth + 1, total: zeroMetrics(), self: zeroMetrics(), stacks: [], children: [] }
        kids.set(key, child)
        node.children.push(child)
      }
      addTo(child.total, m)
      child.stacks.push(i)
      node = child
    }
    addTo(node.self, m)
  })
  sortTree(root, metric)
  return root
}

function sortTree(node: CallNode, metric: AllocMetric): void {
  node.children.sort((a, b) => b.total[metric] - a.total[metric] || b.total.bytes - a.total.bytes)
  for (const c of node.children) sortTree(c, metric)
}

/** The stacks any of whose frames match `query` (function, module or source file; case-insensitive), by index. */
export function searchStacks(stacks: readonly AllocStack[], query: string): Set<number> {
  const q = query.trim().toLowerCase()
  const out = new Set<number>()
  if (!q) return out
  stacks.forEach((s, i) => {
    if (s.frames.some((f) => frameMatches(f, q))) out.add(i)
  })
  return out
}

/** Whether a frame matches a lower-cased query. */
export const frameMatches = (f: AllocFrame, q: string): boolean =>
  [f.function, f.module, f.file, f.address].some((t) => t !== null && t !== undefined && t.toLowerCase().includes(q))

/** The nodes of a tree in display order, children only below the expanded nodes (ids in `expanded`). */
export function visibleRows(root: CallNode, expanded: ReadonlySet<string>): CallNode[] {
  const out: CallNode[] = []
  const walk = (n: CallNode) => {
    for (const c of n.children) {
      out.push(c)
      if (expanded.has(c.id)) walk(c)
    }
  }
  walk(root)
  return out
}

/** Ids of the nodes on the heaviest path from the root, `depth` levels down: what a tree opens with. */
export function heaviestPath(root: CallNode, depth: number): string[] {
  const ids: string[] = []
  for (let n = root.children[0]; n && ids.length < depth; n = n.children[0]) ids.push(n.id)
  return ids
}
