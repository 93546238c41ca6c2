// Issue 3: heap walk of a 1,000,000-block heap: blocks/s against the 10 M blocks/s target, with the
// inspector's peak memory. Two figures: the full walk returning every block (typed arrays), and the
// summary-only walk (limit 0) that a paged UI does first.
import { loadAddon } from '../native/index'
import { startFixture } from '../native/test/fixtures'
import { timeRuns, type BenchResult } from './result'

const TARGET_BLOCKS_PER_S = 10_000_000

export async function heapBench(log: (s: string) => void): Promise<BenchResult[]> {
  const addon = loadAddon()
  const fixture = await startFixture<{ pid: number }>('heap_fixture', ['--blocks', '1000000'])
  try {
    const { pid } = fixture.info
    const walk = (limit: number) => addon.heapWalk({ pid, heapId: null, offset: 0, limit, stopTarget: true }).result
    const first = await walk(Number.MAX_SAFE_INTEGER)
    const blocks = first.heaps.reduce((s, h) => s + h.summary.blockCount, 0)
    log(`heap: ${blocks.toLocaleString()} blocks in ${first.heaps.length} heaps`)
    const rssBefore = process.memoryUsage().rss
    const full = Math.min(...(await timeRuns(5, () => walk(Number.MAX_SAFE_INTEGER))))
    const summaryOnly = Math.min(...(await timeRuns(5, () => walk(0))))
    const peakMb = process.resourceUsage().maxRSS / 1024
    const rate = (ms: number): number => Math.round(blocks / (ms / 1000))
    const entry = (name: string, ms: number): BenchResult => ({
      name,
      value: rate(ms),
      unit: 'blocks/s',
      baseline: 'target 10 M blocks/s',
      baselineValue: TARGET_BLOCKS_PER_S,
      ratio: Math.round((rate(ms) / TARGET_BLOCKS_PER_S) * 100) / 100,
      target: 'ratio >= 1',
      met: rate(ms) >= TARGET_BLOCKS_PER_S,
      notes: `${blocks} blocks, best of 5 stopped walks: ${ms.toFixed(1)} ms; inspector peak RSS ${peakMb.toFixed(0)} MB (${((process.memoryUsage().rss - rssBefore) / 1048576).toFixed(0)} MB above the start)`
    })
    return [entry('heap walk: 1 M blocks, every block returned', full), entry('heap walk: 1 M blocks, summary and histogram only', summaryOnly)]
  } finally {
    await fixture.stop()
  }
}
