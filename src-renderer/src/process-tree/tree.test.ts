import { describe, expect, it } from 'vitest'
import type { ProcessEntry } from '../../../src-common/contract/contract'
import { proc } from '../test/fixtures'
import { buildTree, filterTree, flattenTree, parentPids, sameShape, sortTree } from './tree'

const mapOf = (...entries: ProcessEntry[]) => new Map(entries.map((e) => [e.pid, e]))
const NONE = new Set<number>()

// 1 ─┬─ 5 ── 7
//    └─ 3
// 9 (parent 100 not listed)
const sample = () =>
  mapOf(
    proc(1, 0, { exeFile: 'init', workingSetBytes: 10 }),
    proc(5, 1, { exeFile: 'sshd', workingSetBytes: 30, cmdline: ['/usr/sbin/sshd', '-D'] }),
    proc(3, 1, { exeFile: 'Bash', workingSetBytes: 20 }),
    proc(7, 5, { exeFile: 'sshd-session', workingSetBytes: 5 }),
    proc(9, 100, { exeFile: 'orphan', cmdline: ['orphan'], workingSetBytes: 1 })
  )

const shape = (rows: { pid: number; depth: number }[]) => rows.map((r) => `${r.pid}@${r.depth}`)

describe('buildTree', () => {
  it('nests by parentPid; a process whose parent is not listed is a root', () => {
    const tree = buildTree(sample())
    expect(tree.roots).toEqual([1, 9])
    expect(tree.children.get(1)).toEqual([5, 3])
    expect(tree.parentOf.get(7)).toBe(5)
    expect(tree.parentOf.has(9)).toBe(false)
  })

  it('does not nest under a parent that started after the child (a reused pid)', () => {
    const tree = buildTree(
      mapOf(proc(1, 0, { startTime: '2024-01-02T00:00:00Z' }), proc(2, 1, { startTime: '2024-01-01T00:00:00Z' }))
    )
    expect(tree.roots).toEqual([1, 2])
  })

  it('breaks parent cycles and self-parents so every process shows once', () => {
    const tree = buildTree(mapOf(proc(0, 0), proc(1, 2), proc(2, 1), proc(3, 2)))
    const rows = flattenTree(tree, NONE, null)
    expect(rows.map((r) => r.pid).sort()).toEqual([0, 1, 2, 3])
    expect(tree.roots).toContain(0)
  })

  it('handles a chain thousands deep without recursion', () => {
    const chain = new Map<number, ProcessEntry>()
    for (let pid = 1; pid <= 20_000; pid++) chain.set(pid, proc(pid, pid - 1))
    const rows = flattenTree(buildTree(chain), NONE, null)
    expect(rows).toHaveLength(20_000)
    expect(rows[19_999].depth).toBe(19_999)
  })
})

describe('sameShape', () => {
  it('holds while only figures change, and breaks on what places or orders a process', () => {
    const before = new Map([1, 2, 3].map((pid) => [pid, proc(pid, pid === 1 ? 0 : 1)] as const))
    const tree = buildTree(before)
    const withFigures = new Map(before).set(2, { ...before.get(2)!, workingSetBytes: 1, pageFaultCount: 9, threadCount: 4 })
    expect(sameShape(tree, withFigures)).toBe(true)
    expect(sameShape(tree, new Map(before).set(3, { ...before.get(3)!, parentPid: 2 }))).toBe(false)
    expect(sameShape(tree, new Map(before).set(3, { ...before.get(3)!, exeFile: 'after-exec' }))).toBe(false)
    expect(sameShape(tree, new Map(before).set(3, { ...before.get(3)!, cmdline: ['other'] }))).toBe(false)
    expect(sameShape(tree, new Map(before).set(4, proc(4, 1)))).toBe(false)
    const gone = new Map(before)
    gone.delete(3)
    expect(sameShape(tree, gone.set(5, proc(5, 1)))).toBe(false)
  })
})

describe('sortTree', () => {
  it('sorts among siblings and keeps nesting', () => {
    const tree = buildTree(sample())
    expect(shape(flattenTree(sortTree(tree, { column: 'pid', dir: 'asc' }), NONE, null))).toEqual([
      '1@0',
      '3@1',
      '5@1',
      '7@2',
      '9@0'
    ])
    expect(shape(flattenTree(sortTree(tree, { column: 'pid', dir: 'desc' }), NONE, null))).toEqual([
      '9@0',
      '1@0',
      '5@1',
      '7@2',
      '3@1'
    ])
  })

  it('sorts names case-insensitively and numbers numerically', () => {
    const tree = buildTree(sample())
    const byName = flattenTree(sortTree(tree, { column: 'name', dir: 'asc' }), NONE, null)
    expect(byName.map((r) => r.pid)).toEqual([1, 3, 5, 7, 9])
    const byWs = flattenTree(sortTree(tree, { column: 'workingSet', dir: 'desc' }), NONE, null)
    expect(byWs.map((r) => r.pid)).toEqual([1, 5, 7, 3, 9])
  })

  it('breaks ties by pid', () => {
    const tree = buildTree(mapOf(proc(1, 0), proc(4, 1, { user: 'x' }), proc(2, 1, { user: 'x' })))
    expect(sortTree(tree, { column: 'user', dir: 'desc' }).children.get(1)).toEqual([2, 4])
  })
})

describe('filterTree', () => {
  it('is null for a blank query', () => {
    expect(filterTree(buildTree(sample()), '   ')).toBeNull()
  })

  it('matches a name case-insensitively and keeps ancestors visible', () => {
    const tree = buildTree(sample())
    const filter = filterTree(tree, 'SESSION')!
    expect([...filter.matches]).toEqual([7])
    expect(shape(flattenTree(tree, NONE, filter))).toEqual(['1@0', '5@1', '7@2'])
  })

  it('matches the command line and the kernel name', () => {
    const tree = buildTree(sample())
    expect([...filterTree(tree, 'sbin/sshd -d')!.matches]).toEqual([5])
    expect([...filterTree(tree, 'PROC9')!.matches]).toEqual([9])
  })

  it('matches digits as an exact pid, not a prefix or a command-line substring', () => {
    const tree = buildTree(mapOf(proc(1, 0, { exeFile: 'a' }), proc(12, 1, { exeFile: 'b' }), proc(123, 1, { exeFile: 'c12', cmdline: ['--port', '12'] })))
    const filter = filterTree(tree, '12')!
    expect([...filter.matches]).toEqual([12])
    expect(shape(flattenTree(tree, NONE, filter))).toEqual(['1@0', '12@1'])
  })

  it('hides children that do not match, so a match may show as a leaf', () => {
    const tree = buildTree(sample())
    const rows = flattenTree(tree, NONE, filterTree(tree, 'sshd'))
    expect(shape(rows)).toEqual(['1@0', '5@1', '7@2'])
    expect(rows[0].hasChildren).toBe(true)
    expect(rows[2].hasChildren).toBe(false)
  })
})

describe('flattenTree', () => {
  it('hides the descendants of collapsed processes', () => {
    const tree = buildTree(sample())
    const rows = flattenTree(tree, new Set([5]), null)
    expect(shape(rows)).toEqual(['1@0', '5@1', '3@1', '9@0'])
    expect(rows[1]).toMatchObject({ hasChildren: true, expanded: false })
    expect(shape(flattenTree(tree, parentPids(tree), null))).toEqual(['1@0', '9@0'])
  })
})
