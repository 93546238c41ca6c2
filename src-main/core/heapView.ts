// Heap walks kept in the main process for the heap view: the renderer asks for the page of blocks
// in view (filtered by size and flag), searches by address, and draws a map of used and free bytes,
// without ever holding a million blocks itself. One walk, one consistent picture: pages are cut from
// the same walk rather than walking again per page.

import type { NativeAddon, NativeWalkProgress } from '../../native/index'
import { BLOCK_FLAGS, type HeapBlockFilter, type HeapBlockPage, type HeapMapCell, type HeapView, type Requests } from '../../src-common/contract/contract'
import { hex, parseAddress } from './addressMap'
import { VIEW_BYTES_PER_BLOCK, VIEW_START_BYTES, WALKING_BYTES_PER_BLOCK, type HostBudget, type Lease } from './budget'
import { codedError } from '../../src-common/contract/errors'
import { fmtCount } from '../../src-common/model/format/format'

/** cells of the heap map */
export const MAP_CELLS = 256
/** retained walks per session; their memory also counts against the host's budget */
const MAX_VIEWS = 2

interface Retained {
  info: HeapView
  addresses: Float64Array
  sizes: Float64Array
  flags: Uint8Array
  /** the last filter asked for, and the indices of the blocks it keeps (null: every block) */
  filterKey: string
  filtered: Uint32Array | null
  /** its bytes in the host budget, given back when the view closes */
  lease: Lease
}

export interface HeapViewRun {
  result: Promise<HeapView>
  cancel(): void
}


export class HeapViews {
  private readonly views = new Map<number, Retained>()
  private closed = false

  constructor(
    private readonly addon: NativeAddon,
    private readonly budget: HostBudget
  ) {}

  /**
   * Walks one heap completely and keeps it; progress and cancel as for any walk. The walk keeps at
   * most the blocks the host's budget has room for when it starts, and its memory is reserved as it
   * finds them (it is cancelled with EBUSY when that would pass the budget); the view then holds
   * what it keeps until it closes.
   */
  open(p: Requests['heap.open'], onProgress: (progress: NativeWalkProgress) => void): HeapViewRun {
    const takenAt = new Date().toISOString()
    const lease = this.budget.reserve('heap view', VIEW_START_BYTES, 'a heap view')
    const room = Math.floor((lease.bytes + this.budget.freeBytes) / WALKING_BYTES_PER_BLOCK)
    let refused: unknown = null
    const handle = this.addon.heapWalk(
      { pid: p.pid, heapId: p.heapId, offset: 0, limit: room, stopTarget: p.stopTarget ?? false },
      (progress) => {
        if (refused) return
        try {
          lease.resize(progress.blocks * WALKING_BYTES_PER_BLOCK, `a heap view (${fmtCount(progress.blocks)} blocks walked so far)`)
        } catch (err) {
          refused = err
          handle.cancel()
          return
        }
        onProgress(progress)
      }
    )
    const result = handle.result
      .catch((err: unknown) => {
        throw refused ?? err
      })
      .then((raw): HeapView => {
        if (this.closed) throw codedError('ECANCELED', 'the window closed while the heap was being walked')
        const heap = raw.heaps.find((h) => h.heapId === p.heapId)
        if (!heap) throw codedError('ENOENT', `heap ${p.heapId} not found in process ${p.pid}: refresh the heap list`)
        if (heap.truncated) {
          // More blocks than there was room for: refused (with what is taken), or, if room was made meanwhile, asked again.
          const blocks = heap.summary.blockCount
          lease.resize(blocks * WALKING_BYTES_PER_BLOCK, `a heap view of ${fmtCount(blocks)} blocks`)
          throw codedError('EBUSY', `the heap has ${fmtCount(blocks)} blocks, more than the memory budget had room for when the walk started: open the view again`)
        }
        // What the view keeps; the views it replaces make room first when the budget is short.
        const replaced = this.replacedBy(p.viewId)
        const what = `a heap view of ${fmtCount(heap.sizes.length)} blocks`
        try {
          lease.resize(heap.sizes.length * VIEW_BYTES_PER_BLOCK, what)
        } catch (err) {
          if (replaced.length === 0) throw err
          for (const id of replaced) this.close(id)
          lease.resize(heap.sizes.length * VIEW_BYTES_PER_BLOCK, what)
        }
        const info: HeapView = {
          viewId: p.viewId,
          pid: raw.pid,
          heapId: heap.heapId,
          kind: heap.kind,
          takenAt,
          stopped: raw.stopped,
          summary: heap.summary,
          map: heapMap(heap.addresses, heap.sizes, heap.flags),
          errors: raw.errors
        }
        for (const id of replaced) this.close(id)
        this.views.set(p.viewId, { info, addresses: heap.addresses, sizes: heap.sizes, flags: heap.flags, filterKey: '', filtered: null, lease })
        return info
      })
      .catch((err: unknown) => {
        lease.release()
        throw err
      })
    return { result, cancel: () => handle.cancel() }
  }

  /** The views a new view `viewId` replaces: one of the same id, and the oldest past the per-window limit. */
  private replacedBy(viewId: number): number[] {
    const others = [...this.views.keys()].filter((id) => id !== viewId) // oldest first in a Map
    return [...(this.views.has(viewId) ? [viewId] : []), ...others.slice(0, Math.max(0, others.length + 1 - MAX_VIEWS))]
  }

  private view(viewId: number): Retained {
    const view = this.views.get(viewId)
    if (!view) throw codedError('ENOENT', `heap view ${viewId} is closed (a newer walk replaced it): walk the heap again`)
    return view
  }

  /** Indices of the blocks the filter keeps, cached for the last filter of each view. */
  private filtered(view: Retained, filter: HeapBlockFilter): Uint32Array | null {
    const flagCodes = (filter.flags ?? BLOCK_FLAGS).map((f) => BLOCK_FLAGS.indexOf(f))
    const min = filter.minSize ?? 0
    const max = filter.maxSize ?? Number.POSITIVE_INFINITY
    const key = `${min}:${max}:${flagCodes.join()}`
    if (key === view.filterKey) return view.filtered
    const all = min === 0 && max === Number.POSITIVE_INFINITY && BLOCK_FLAGS.every((_, code) => flagCodes.includes(code))
    let filtered: Uint32Array | null = null
    if (!all) {
      const keep = new Uint8Array(BLOCK_FLAGS.length)
      for (const code of flagCodes) keep[code] = 1
      const out = new Uint32Array(view.sizes.length)
      let n = 0
      for (let i = 0; i < view.sizes.length; i++) {
        const size = view.sizes[i]
        if (size >= min && size <= max && keep[view.flags[i]]) out[n++] = i
      }
      filtered = out.slice(0, n)
    }
    view.filterKey = key
    view.filtered = filtered
    return filtered
  }

  blocks(p: Requests['heap.blocks']): HeapBlockPage {
    const view = this.view(p.viewId)
    const filtered = this.filtered(view, p)
    const matched = filtered ? filtered.length : view.sizes.length
    const end = Math.min(matched, p.offset + p.limit)
    const blocks: HeapBlockPage['blocks'] = []
    for (let k = p.offset; k < end; k++) {
      const index = filtered ? filtered[k] : k
      blocks.push({ index, address: hex(view.addresses[index]), blockSize: view.sizes[index], flags: BLOCK_FLAGS[view.flags[index]] ?? 'fixed' })
    }
    return { viewId: p.viewId, matched, offset: p.offset, blocks }
  }

  /** Position (among the filtered blocks) of the block holding `address`, else of the first one above it; -1 past the end. */
  find(p: Requests['heap.find']): { position: number; exact: boolean } {
    const view = this.view(p.viewId)
    const filtered = this.filtered(view, p)
    const target = parseAddress(p.address)
    const count = filtered ? filtered.length : view.sizes.length
    const at = (k: number) => (filtered ? filtered[k] : k)
    let lo = 0
    let hi = count
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      const i = at(mid)
      if (view.addresses[i] + view.sizes[i] <= target) lo = mid + 1
      else hi = mid
    }
    if (lo === count) return { position: -1, exact: false }
    const i = at(lo)
    return { position: lo, exact: view.addresses[i] <= target }
  }

  close(viewId: number): { closed: boolean } {
    this.views.get(viewId)?.lease.release()
    return { closed: this.views.delete(viewId) }
  }

  /** The window went away: every view's memory is given back, and walks still running keep nothing. */
  closeAll(): void {
    this.closed = true
    for (const view of this.views.values()) view.lease.release()
    this.views.clear()
  }
}

/**
 * MAP_CELLS cells over the heap's blocks laid end to end (the gaps between a heap's mappings left
 * out), each with the used and free bytes it covers: a block larger than a cell spills into the next.
 */
export function heapMap(addresses: Float64Array, sizes: Float64Array, flags: Uint8Array): HeapMapCell[] {
  let total = 0
  for (let i = 0; i < sizes.length; i++) total += sizes[i]
  // Whole bytes per cell, so every offset maps to its cell exactly and no cell is skipped.
  const cellBytes = Math.ceil(total / MAP_CELLS)
  const FREE = BLOCK_FLAGS.indexOf('free')
  const cells: HeapMapCell[] = []
  let offset = 0
  for (let i = 0; i < sizes.length; i++) {
    let left = sizes[i]
    while (left > 0) {
      const c = Math.floor(offset / cellBytes)
      if (!cells[c]) cells[c] = { address: hex(addresses[i] + sizes[i] - left), firstBlock: i, usedBytes: 0, freeBytes: 0 }
      const take = Math.min(left, (c + 1) * cellBytes - offset)
      if (flags[i] === FREE) cells[c].freeBytes += take
      else cells[c].usedBytes += take
      offset += take
      left -= take
    }
  }
  return cells
}
