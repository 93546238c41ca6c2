// Heap walks as documents of the data contract (snapscope.heapwalk/1, heapwalks/1). The addon hands
// blocks over as typed arrays; only the requested page is ever turned into objects.

import type { NativeAddon, NativeHeapWalk, NativeWalkProgress } from '../../native/index'
import { BLOCK_FLAGS, type HeapBlockEntry, type HeapWalkDoc, type HeapWalksDoc } from '../../src-common/contract/types'
import { hex } from './addressMap'
import { codedError } from '../../src-common/contract/errors'

export interface HeapWalkOptions {
  pid: number
  /** null or absent: every heap of the process */
  heapId?: string | null
  offset?: number
  /** blocks per heap at most (the summary still counts them all) */
  limit?: number
  /** stop the target during the walk for a consistent result */
  stopTarget?: boolean
}

export interface HeapWalkRun {
  result: Promise<HeapWalksDoc>
  cancel(): void
}

function blocksOf(heap: NativeHeapWalk): HeapBlockEntry[] {
  const out = new Array<HeapBlockEntry>(heap.addresses.length)
  for (let i = 0; i < out.length; i++) {
    out[i] = { address: hex(heap.addresses[i]), blockSize: heap.sizes[i], flags: BLOCK_FLAGS[heap.flags[i]] ?? 'fixed' }
  }
  return out
}

export function walkHeaps(addon: NativeAddon, options: HeapWalkOptions, onProgress?: (p: NativeWalkProgress) => void): HeapWalkRun {
  const takenAt = new Date().toISOString()
  const offset = options.offset ?? 0
  const handle = addon.heapWalk(
    {
      pid: options.pid,
      heapId: options.heapId ?? null,
      offset,
      limit: options.limit ?? Number.MAX_SAFE_INTEGER,
      stopTarget: options.stopTarget ?? false
    },
    onProgress
  )
  const result = handle.result.then((raw): HeapWalksDoc => {
    const heaps = raw.heaps.map(
      (h): HeapWalkDoc => ({
        format: 'snapscope.heapwalk/1',
        pid: raw.pid,
        heapId: h.heapId,
        kind: h.kind,
        takenAt,
        offset,
        blocks: blocksOf(h),
        summary: h.summary,
        truncated: h.truncated,
        stopped: raw.stopped,
        errors: raw.errors
      })
    )
    return { format: 'snapscope.heapwalks/1', pid: raw.pid, takenAt, stopped: raw.stopped, heaps, errors: raw.errors }
  })
  return { result, cancel: () => handle.cancel() }
}

/** One heap's document out of a walk of it (the `heap --heap ID` form of the command). */
export function singleHeap(doc: HeapWalksDoc, heapId: string): HeapWalkDoc {
  const heap = doc.heaps.find((h) => h.heapId === heapId)
  if (!heap) throw codedError('ENOENT', `heap ${heapId} not found in process ${doc.pid}`)
  return heap
}
