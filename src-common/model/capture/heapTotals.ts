// One process's heaps as one set of numbers: a leak shows as growth of the process, whichever arena
// (thread) the blocks come from. Size classes of the same range are added up.
import type { HeapSummary, HistogramBucket } from '../../contract/types'
import type { HeapTotals } from '../../contract/timelineTypes'

export function sumHeaps(summaries: readonly HeapSummary[]): HeapTotals {
  const classes = new Map<string, HistogramBucket>()
  const totals: HeapTotals = { heapCount: summaries.length, usedBlocks: 0, usedBytes: 0, freeBlocks: 0, freeBytes: 0, histogram: [] }
  for (const s of summaries) {
    totals.usedBlocks += s.usedBlocks
    totals.usedBytes += s.usedBytes
    totals.freeBlocks += s.freeBlocks
    totals.freeBytes += s.freeBytes
    for (const b of s.histogram) {
      const key = `${b.minSize}-${b.maxSize}`
      const sum = classes.get(key)
      if (sum) {
        sum.count += b.count
        sum.bytes += b.bytes
      } else classes.set(key, { ...b })
    }
  }
  totals.histogram = [...classes.values()].sort((a, b) => a.minSize - b.minSize)
  return totals
}
