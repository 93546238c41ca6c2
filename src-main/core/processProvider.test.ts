import { describe, expect, it } from 'vitest'
import { loadAddon } from '../../native/index'
import { startFixture } from '../../native/test/fixtures'
import { ProcessProvider } from './processProvider'

interface TreeInfo {
  root: number
  processes: { pid: number; parentPid: number; depth: number; tids: number[] }[]
}

describe('ProcessProvider on real processes', () => {
  it('emits a reset, then the fixture tree as added, then as removed with its threads', async () => {
    const provider = new ProcessProvider(loadAddon(), 1000)
    const first = await provider.refresh()
    expect(first.reset).toBe(true)
    expect(first.added.length).toBeGreaterThan(0)
    expect(first.threadsAdded.length).toBeGreaterThanOrEqual(first.added.length)

    const fixture = await startFixture<TreeInfo>('proc_tree', ['--children', '2', '--threads', '2', '--depth', '1'])
    const pids = fixture.info.processes.map((p) => p.pid).sort()
    const tids = fixture.info.processes.flatMap((p) => p.tids).sort()
    try {
      const grown = await provider.refresh()
      expect(grown.reset).toBe(false)
      expect(grown.added.map((p) => p.pid).filter((pid) => pids.includes(pid)).sort()).toEqual(pids)
      expect(grown.threadsAdded.map((t) => t.tid).filter((tid) => tids.includes(tid)).sort()).toEqual(tids)
      const root = grown.added.find((p) => p.pid === fixture.info.root)!
      expect(root.threadCount).toBe(2)
    } finally {
      await fixture.stop()
    }
    const shrunk = await provider.refresh()
    expect(shrunk.removed.filter((pid) => pids.includes(pid)).sort()).toEqual(pids)
    expect(shrunk.threadsRemoved.filter((tid) => tids.includes(tid)).sort()).toEqual(tids)
    expect(shrunk.added.some((p) => pids.includes(p.pid))).toBe(false)
  })

  it('polls on its interval and stops when asked', async () => {
    const provider = new ProcessProvider(loadAddon(), 100)
    const seqs: number[] = []
    provider.on('delta', (d) => seqs.push(d.seq))
    provider.start()
    // Wait for deltas rather than a fixed time: a loaded machine makes each snapshot slower.
    for (const end = Date.now() + 10_000; seqs.length < 3 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20))
    provider.stop()
    const n = seqs.length
    expect(n).toBeGreaterThanOrEqual(3)
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i))
    await new Promise((r) => setTimeout(r, 300))
    expect(seqs.length).toBe(n)
  })
})
