// Retained heap walks on a real fixture heap: pages, filters, address search and the heap map agree
// with the walk's own summary and with the pointers the fixture says it holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon } from '../../native/index'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'
import type { HeapView } from '../../src-common/contract/contract'
import { HostBudget } from './budget'
import { HeapViews, MAP_CELLS, heapMap } from './heapView'
import { takeSnapshot } from './snapshot'

interface HeapInfo {
  pid: number
  live: { ptr: string; size: number }[]
  freed: string[]
}

const addon = loadAddon()
let fixture: RunningFixture<HeapInfo>
let views: HeapViews
let main: HeapView
const EXTRA = 50_000

beforeAll(async () => {
  fixture = await startFixture<HeapInfo>('heap_fixture', ['--blocks', String(EXTRA)])
  const snap = await takeSnapshot(addon, { include: ['heaplist'], pid: fixture.info.pid })
  const heapId = snap.heapLists.find((h) => h.kind === 'main-arena')!.heapId
  views = new HeapViews(addon, new HostBudget(256 << 20))
  const progress: number[] = []
  main = await views.open({ viewId: 1, pid: fixture.info.pid, heapId, stopTarget: true }, (p) => progress.push(p.blocks)).result
})
afterAll(() => fixture?.stop())

describe('HeapViews', () => {
  it('keeps the whole walk and pages through it in address order', () => {
    expect(main.summary.usedBlocks).toBeGreaterThanOrEqual(EXTRA)
    expect(main.stopped).toBe(true)
    const first = views.blocks({ viewId: 1, offset: 0, limit: 100 })
    expect(first.matched).toBe(main.summary.blockCount)
    expect(first.blocks.map((b) => b.index)).toEqual([...Array(100).keys()])
    const tail = views.blocks({ viewId: 1, offset: main.summary.blockCount - 3, limit: 100 })
    expect(tail.blocks).toHaveLength(3)
    expect(tail.blocks.at(-1)!.flags).toBe('free') // glibc's top chunk
    const addresses = first.blocks.map((b) => BigInt(b.address))
    expect(addresses).toEqual([...addresses].sort((a, b) => (a < b ? -1 : 1)))
  })

  it('filters by size and flag, counting every match', () => {
    const free = views.blocks({ viewId: 1, offset: 0, limit: 100_000, flags: ['free'] })
    expect(free.matched).toBe(main.summary.freeBlocks)
    expect(free.blocks.every((b) => b.flags === 'free')).toBe(true)
    const small = views.blocks({ viewId: 1, offset: 0, limit: 100_000, minSize: 17, maxSize: 32, flags: ['fixed'] })
    expect(small.matched).toBeGreaterThanOrEqual(EXTRA)
    expect(small.blocks.every((b) => b.blockSize >= 17 && b.blockSize <= 32 && b.flags === 'fixed')).toBe(true)
  })

  it('finds the block holding each live pointer of the fixture', () => {
    const live = fixture.info.live.filter((l) => l.size <= 100_000) // big ones live in mmapped blocks, not here
    let found = 0
    for (const { ptr, size } of live) {
      const { position, exact } = views.find({ viewId: 1, address: ptr })
      if (!exact) continue // a thread's block: in its own arena
      const [block] = views.blocks({ viewId: 1, offset: position, limit: 1 }).blocks
      expect(block.address).toBe(ptr)
      expect(block.flags).toBe('fixed')
      expect(block.blockSize).toBeGreaterThanOrEqual(size)
      found++
    }
    expect(found).toBeGreaterThan(20)
    // Inside a block (not its start): still that block. Past the end: none.
    const { blocks } = views.blocks({ viewId: 1, offset: 10, limit: 1 })
    const inside = '0x' + (BigInt(blocks[0].address) + 8n).toString(16)
    expect(views.find({ viewId: 1, address: inside })).toEqual({ position: 10, exact: true })
    expect(views.find({ viewId: 1, address: '0xffffffffffff' }).position).toBe(-1)
  })

  it('maps used and free bytes over the heap, adding up to the summary', () => {
    expect(main.map.length).toBeLessThanOrEqual(MAP_CELLS)
    expect(main.map.reduce((s, c) => s + c.usedBytes, 0)).toBe(main.summary.usedBytes)
    expect(main.map.reduce((s, c) => s + c.freeBytes, 0)).toBe(main.summary.freeBytes)
    expect(main.map[0].firstBlock).toBe(0)
  })

  it('says the view is gone once closed', () => {
    expect(views.close(1)).toEqual({ closed: true })
    expect(() => views.blocks({ viewId: 1, offset: 0, limit: 1 })).toThrow(/walk the heap again/)
  })
})

describe('heapMap', () => {
  it('spills a block larger than a cell into the next cells', () => {
    const cells = heapMap(Float64Array.from([0x1000, 0x2000]), Float64Array.from([MAP_CELLS, MAP_CELLS * 3]), Uint8Array.from([0, 1]))
    expect(cells).toHaveLength(MAP_CELLS)
    expect(cells[0]).toEqual({ address: '0x1000', firstBlock: 0, usedBytes: 4, freeBytes: 0 })
    expect(cells[MAP_CELLS / 4]).toEqual({ address: '0x2000', firstBlock: 1, usedBytes: 0, freeBytes: 4 })
    expect(cells[MAP_CELLS / 4 + 1].address).toBe('0x2004')
    expect(heapMap(new Float64Array(0), new Float64Array(0), new Uint8Array(0))).toEqual([])
  })
})
