// Pure tree logic for the process view: nesting by parentPid, sorting among siblings, filtering that
// keeps ancestors, and flattening to the rows a virtual list shows. Iterative throughout: a chain of
// thousands of nested processes must not overflow the stack.
import type { ProcessEntry } from '../../../src-common/contract/contract'
import { commandLine } from '../../../src-common/model/format/format'
import { columnById, type ColumnId } from './columns'

export interface ProcessTreeModel {
  byPid: ReadonlyMap<number, ProcessEntry>
  roots: readonly number[]
  children: ReadonlyMap<number, readonly number[]>
  /** only for processes nested under a listed parent */
  parentOf: ReadonlyMap<number, number>
}

export interface SortOrder {
  column: ColumnId
  dir: 'asc' | 'desc'
}

export interface FilterResult {
  matches: ReadonlySet<number>
  /** matches plus their ancestors, so the nesting around a match stays visible */
  visible: ReadonlySet<number>
}

export interface FlatRow {
  pid: number
  depth: number
  hasChildren: boolean
  expanded: boolean
}

// Parsed start times, per entry object: the tree is rebuilt on every refresh, and parsing 5,000
// dates twice a second showed in the frame times. Entries are replaced, never mutated, when they change.
const startMs = new WeakMap<ProcessEntry, number>()
function started(entry: ProcessEntry): number {
  let t = startMs.get(entry)
  if (t === undefined) startMs.set(entry, (t = Date.parse(entry.startTime)))
  return t
}

// On Windows a parentPid may name a later process that reused the pid of the real (exited) parent;
// a "parent" younger than its child is such a stranger.
function isRealParent(parent: ProcessEntry, child: ProcessEntry): boolean {
  if (parent.pid === child.pid) return false
  return !(started(parent) > started(child))
}

export function buildTree(processes: ReadonlyMap<number, ProcessEntry>): ProcessTreeModel {
  const children = new Map<number, number[]>()
  const parentOf = new Map<number, number>()
  const roots: number[] = []
  for (const entry of processes.values()) {
    const parent = processes.get(entry.parentPid)
    if (parent && isRealParent(parent, entry)) {
      parentOf.set(entry.pid, parent.pid)
      const siblings = children.get(parent.pid)
      if (siblings) siblings.push(entry.pid)
      else children.set(parent.pid, [entry.pid])
    } else roots.push(entry.pid)
  }

  // Parent links that form a cycle (pid reuse again) leave nodes unreachable from any root: cut each
  // cycle at the first member met so every process is shown exactly once.
  const reached = new Set<number>()
  const reach = (start: number) => {
    const stack = [start]
    while (stack.length) {
      const pid = stack.pop()!
      reached.add(pid)
      for (const child of children.get(pid) ?? []) if (!reached.has(child)) stack.push(child)
    }
  }
  roots.forEach(reach)
  for (const pid of processes.keys()) {
    if (reached.has(pid)) continue
    const parent = parentOf.get(pid)!
    const siblings = children.get(parent)!
    siblings.splice(siblings.indexOf(pid), 1)
    parentOf.delete(pid)
    roots.push(pid)
    reach(pid)
  }
  return { byPid: processes, roots, children, parentOf }
}

/**
 * The same processes with the same parents, start times (they decide parenthood) and the fields a sort
 * by a fixed column reads (name, user, command line): the tree built before still holds, and so does
 * its order. Only changed entries are compared field by field.
 */
export function sameShape(tree: ProcessTreeModel, processes: ReadonlyMap<number, ProcessEntry>): boolean {
  if (tree.byPid.size !== processes.size) return false
  for (const [pid, entry] of processes) {
    const was = tree.byPid.get(pid)
    if (was === entry) continue
    if (!was || was.parentPid !== entry.parentPid || was.startTime !== entry.startTime || was.exeFile !== entry.exeFile || was.user !== entry.user) return false
    if (commandLine(was.cmdline) !== commandLine(entry.cmdline)) return false
  }
  return true
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

export function sortTree(tree: ProcessTreeModel, order: SortOrder): ProcessTreeModel {
  const column = columnById(order.column)
  // Keys computed once per process, not once per comparison.
  const keys = new Map<number, number | string>()
  for (const entry of tree.byPid.values()) keys.set(entry.pid, column.sortValue(entry))
  const sign = order.dir === 'asc' ? 1 : -1
  const compare = (a: number, b: number) => {
    const ka = keys.get(a)!
    const kb = keys.get(b)!
    const byKey =
      typeof ka === 'number' && typeof kb === 'number' ? ka - kb : collator.compare(String(ka), String(kb))
    return byKey !== 0 ? sign * byKey : a - b
  }
  const children = new Map<number, readonly number[]>()
  for (const [pid, list] of tree.children) children.set(pid, [...list].sort(compare))
  return { ...tree, roots: [...tree.roots].sort(compare), children }
}

/**
 * A query of digits is an exact pid (as a substring it would match half the command lines);
 * anything else is a case-insensitive substring of the executable name, the kernel's name or the command line. Null for a blank query.
 */
export function filterTree(tree: ProcessTreeModel, query: string): FilterResult | null {
  const q = query.trim().toLowerCase()
  if (!q) return null
  const isMatch = /^\d+$/.test(q)
    ? (entry: ProcessEntry) => entry.pid === Number(q)
    : (entry: ProcessEntry) =>
        entry.exeFile.toLowerCase().includes(q) ||
        entry.name.toLowerCase().includes(q) ||
        commandLine(entry.cmdline).toLowerCase().includes(q)
  const matches = new Set<number>()
  for (const entry of tree.byPid.values()) if (isMatch(entry)) matches.add(entry.pid)
  const visible = new Set<number>()
  for (const match of matches) {
    for (let p: number | undefined = match; p !== undefined && !visible.has(p); p = tree.parentOf.get(p)) visible.add(p)
  }
  return { matches, visible }
}

const NO_CHILDREN: readonly number[] = []

export function flattenTree(
  tree: ProcessTreeModel,
  collapsed: ReadonlySet<number>,
  filter: FilterResult | null
): FlatRow[] {
  const shown = (pid: number) => !filter || filter.visible.has(pid)
  const kidsOf = (pid: number): readonly number[] => {
    const kids = tree.children.get(pid) ?? NO_CHILDREN
    return filter ? kids.filter(shown) : kids
  }
  const rows: FlatRow[] = []
  const stack: [number, number][] = []
  const pushAll = (pids: readonly number[], depth: number) => {
    for (let i = pids.length - 1; i >= 0; i--) stack.push([pids[i], depth])
  }
  pushAll(tree.roots.filter(shown), 0)
  while (stack.length) {
    const [pid, depth] = stack.pop()!
    const kids = kidsOf(pid)
    const expanded = !collapsed.has(pid)
    rows.push({ pid, depth, hasChildren: kids.length > 0, expanded })
    if (expanded) pushAll(kids, depth + 1)
  }
  return rows
}

/** Every process that has children: "collapse all" collapses exactly these. */
export function parentPids(tree: ProcessTreeModel): Set<number> {
  return new Set([...tree.children].filter(([, kids]) => kids.length > 0).map(([pid]) => pid))
}
