// The allocation model on documents made by the trace service (frames named by the real addon in a
// python3): call trees both ways, the flame graph, search, size classes, the diff of two traces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scriptedDoc, startLibcPython, type LibcPython, type ScriptedStack } from '../../../test-support/scriptedTrace'
import type { AllocsDoc } from '../../contract/allocTypes'
import { buildCallTree, frameName, heaviestPath, searchStacks, visibleRows } from './callTree'
import { flameLayout } from './flame'
import { diffAllocs } from './allocsDiff'
import { glibcUsableSize, stacksInSizeClass } from './sizeClass'
import { chainText, siteText } from './stackText'

let py: LibcPython
let doc: AllocsDoc
// qsort is called by bsearch, called by strtol (innermost first); two callers of strtol
const STACKS: ScriptedStack[] = [
  { frames: ['qsort', 'bsearch', 'strtol'], allocations: 100, bytes: 4_800, leakedBlocks: 100, leakedBytes: 4_800 },
  { frames: ['qsort', 'getenv', 'strtol'], allocations: 50, bytes: 1_600, temporary: 50 },
  { frames: ['rand', 'abs'], allocations: 10, bytes: 40_000, leakedBlocks: 2, leakedBytes: 8_000 }
]

beforeAll(async () => {
  py = await startLibcPython()
  doc = await scriptedDoc(py, STACKS)
})
afterAll(() => py.stop())

const names = (frames: AllocsDoc['stacks'][number]['frames']) => frames.map((f) => f.function)

describe('an allocations document from the trace service', () => {
  it('has the stacks sorted by leaked bytes, innermost frame first, named by the symbol service', () => {
    expect(doc.format).toBe('snapscope.allocs/1')
    expect(doc.stacks.map((s) => s.leaked.bytes)).toEqual([8_000, 4_800, 0])
    expect(names(doc.stacks[1].frames)).toEqual(['qsort', 'bsearch', 'strtol'])
    expect(doc.stacks[1]).toMatchObject({ allocations: 100, bytes: 4_800, leaked: { blocks: 100, bytes: 4_800 } })
    expect(doc.stacks[2]).toMatchObject({ temporary: 50, leaked: { blocks: 0, bytes: 0 } })
    expect(doc.totals).toMatchObject({ allocations: 160, temporary: 50, leakedBlocks: 102, leakedBytes: 12_800 })
    // the frame's own return address, its module and its offset in it
    expect(doc.stacks[1].frames[0]).toMatchObject({ address: '0x' + py.at.qsort.toString(16), module: 'libc.so.6' })
    expect(siteText(doc.stacks[1].frames)).toMatch(/^qsort \(msort\.c:\d+\)$/)
    expect(chainText(doc.stacks[1].frames)).toBe('qsort ← bsearch ← strtol')
  })
})

describe('call trees', () => {
  it('top-down: from the outermost caller, stacks through a function add up', () => {
    const root = buildCallTree(doc.stacks, 'top-down', 'bytes')
    expect(root.total).toMatchObject({ allocations: 160, bytes: 46_400, leakedBytes: 12_800 })
    expect(root.children.map((c) => frameName(c.frame!))).toEqual(['abs', 'strtol'])
    const strtol = root.children[1]
    expect(strtol.total).toMatchObject({ allocations: 150, bytes: 6_400, temporary: 50 })
    expect(strtol.self.allocations).toBe(0)
    expect(strtol.children.map((c) => frameName(c.frame!))).toEqual(['bsearch', 'getenv'])
    const leaf = strtol.children[0].children[0]
    expect(leaf).toMatchObject({ depth: 3, self: { allocations: 100 }, total: { allocations: 100 } })
    expect(heaviestPath(root, 5)).toEqual([root.children[0].id, root.children[0].children[0].id])
  })

  it('bottom-up: from the code that called the allocator; by leaked bytes', () => {
    const root = buildCallTree(doc.stacks, 'bottom-up', 'leakedBytes')
    expect(root.children.map((c) => frameName(c.frame!))).toEqual(['rand', 'qsort'])
    const qsort = root.children[1]
    expect(qsort.total).toMatchObject({ allocations: 150, leakedBytes: 4_800 })
    expect(qsort.children.map((c) => [frameName(c.frame!), c.total.leakedBytes])).toEqual([
      ['bsearch', 4_800],
      ['getenv', 0]
    ])
    expect(visibleRows(root, new Set([qsort.id])).map((n) => frameName(n.frame!))).toEqual(['rand', 'qsort', 'bsearch', 'getenv'])
  })

  it('search finds the stacks through a function, module or file; the tree of only those', () => {
    const hits = searchStacks(doc.stacks, 'GETENV')
    expect([...hits].map((i) => names(doc.stacks[i].frames))).toEqual([['qsort', 'getenv', 'strtol']])
    expect(searchStacks(doc.stacks, 'libc.so').size).toBe(3)
    expect(searchStacks(doc.stacks, '  ').size).toBe(0)
    const only = buildCallTree(doc.stacks, 'top-down', 'bytes', hits)
    expect(only.total.allocations).toBe(50)
  })
})

describe('flame graph', () => {
  it('lays nodes out as wide as their share, children inside their parent, narrow ones left out', () => {
    const root = buildCallTree(doc.stacks, 'top-down', 'allocations')
    const { rects, rows, total } = flameLayout(root, 'allocations')
    expect(total).toBe(160)
    expect(rows).toBe(3)
    const byName = (n: string) => rects.filter((r) => frameName(r.node.frame!) === n)
    expect(byName('strtol')[0]).toMatchObject({ x: 0, width: 150 / 160, row: 0 })
    expect(byName('abs')[0]).toMatchObject({ x: 150 / 160, width: 10 / 160, row: 0 })
    const [bsearch] = byName('bsearch')
    const [getenv] = byName('getenv')
    expect(bsearch).toMatchObject({ x: 0, width: 100 / 160, row: 1 })
    expect(getenv.x).toBeCloseTo(100 / 160)
    // a share under minWidth is left out with what is above it
    expect(flameLayout(root, 'allocations', 0.1).rects.some((r) => frameName(r.node.frame!) === 'abs')).toBe(false)
    expect(flameLayout(root, 'allocations', 0, 2).rects).toHaveLength(2)
  })
})

describe('size classes', () => {
  it("maps requests to glibc's usable sizes and finds the stacks of a class", () => {
    expect([0, 24, 25, 40, 48, 1000].map(glibcUsableSize)).toEqual([24, 24, 40, 40, 56, 1000])
    expect(glibcUsableSize(200_000)).toBe(49 * 4096 - 16)
    // 48-byte requests (4,800 / 100) are 56-byte blocks; 32-byte ones 40; 4,000-byte ones 4,008
    const sites = (min: number, max: number) => [...stacksInSizeClass(doc.stacks, min, max)].map((i) => names(doc.stacks[i].frames)[1])
    expect(sites(49, 64)).toEqual(['bsearch'])
    expect(sites(33, 48)).toEqual(['getenv'])
    expect(sites(4_097, 8_192)).toEqual([])
    expect(sites(2_049, 4_096)).toEqual(['abs'])
  })
})

describe('diff of two traces', () => {
  it('matches stacks by their named frames and lists what leaked more', async () => {
    const later = await scriptedDoc(py, [
      { ...STACKS[0], allocations: 300, bytes: 14_400, leakedBlocks: 300, leakedBytes: 14_400 },
      STACKS[1],
      { frames: ['abs', 'getenv'], allocations: 1, bytes: 64, leakedBlocks: 1, leakedBytes: 64 }
    ])
    const d = diffAllocs(doc, later)
    expect(d.grew.map((r) => [names(r.frames), r.leakedBytes.delta])).toEqual([
      [['qsort', 'bsearch', 'strtol'], 9_600],
      [['abs', 'getenv'], 64]
    ])
    expect(d.grew[0].allocations).toMatchObject({ a: 100, b: 300, delta: 200 })
    expect(d).toMatchObject({ newStacks: 1, goneStacks: 1, leakedBytes: { a: 12_800, b: 14_464 } })
  })
})
