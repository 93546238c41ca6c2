// A live allocation trace for a renderer: every UPDATE_MS, the live totals and the MAX_LIVE_STACKS
// stacks with the most live bytes, their code addresses as ids into a table each update extends
// (an address is sent when first met, and again once its name arrives). Bounded whatever the rate.
import { MAX_LIVE_STACKS, type AllocUpdate, type LiveAllocStack } from '../../../src-common/contract/allocTypes'
import { lookupAddress, type AllocTrace } from './allocTrace'

export const UPDATE_MS = 250

export class AllocStream {
  /** address -> id, and what was sent of it: nothing yet, its address alone, or its name */
  private readonly ids = new Map<bigint, { id: number; sent: 'address' | 'name' | null }>()
  private readonly timer: NodeJS.Timeout

  constructor(
    readonly traceId: number,
    readonly trace: AllocTrace,
    private readonly send: (update: AllocUpdate) => void
  ) {
    this.timer = setInterval(() => this.flush(), UPDATE_MS)
    this.timer.unref?.()
    trace.once('end', () => {
      clearInterval(this.timer)
      this.flush()
    })
  }

  /** The stacks with the most live bytes (then bytes), as indexes. */
  private top(): number[] {
    const s = this.trace.stacks
    const before = (a: number, b: number) => s.liveBytes(b) - s.liveBytes(a) || s.bytes[b] - s.bytes[a]
    return topK(s.size, MAX_LIVE_STACKS, (i) => s.allocations[i] > 0, before)
  }

  update(): AllocUpdate {
    const t = this.trace
    const s = t.stacks
    const addresses: AllocUpdate['addresses'] = []
    const idOf = (frames: BigUint64Array, k: number): number => {
      const address = frames[k]
      const name = t.symbols.cached(lookupAddress(frames, k))
      let entry = this.ids.get(address)
      if (!entry) this.ids.set(address, (entry = { id: this.ids.size, sent: null }))
      const news = name ? entry.sent !== 'name' : entry.sent === null
      if (news) {
        addresses.push({ id: entry.id, frames: t.frameAt(frames, k) })
        entry.sent = name ? 'name' : 'address'
      }
      return entry.id
    }
    const stacks: LiveAllocStack[] = this.top().map((i) => {
      const frames = s.frames[i]
      return {
        id: i,
        addresses: Array.from({ length: frames.length }, (_, k) => idOf(frames, k)),
        allocations: s.allocations[i],
        bytes: s.bytes[i],
        temporary: s.temporary[i],
        liveBlocks: s.liveBlocks(i),
        liveBytes: s.liveBytes(i)
      }
    })
    return { traceId: this.traceId, pid: t.pid, nowMs: Math.round(t.elapsedMs), totals: { ...t.totals }, lost: t.lost, stackCount: s.size, addresses, stacks }
  }

  private flush(): void {
    this.send(this.update())
  }

  close(): void {
    clearInterval(this.timer)
  }
}

/**
 * The first k of the indexes 0..n-1 that `keep` in `before` order, without sorting all n (an update
 * runs every UPDATE_MS over up to a million stacks): a bounded buffer, cut back to k whenever it
 * holds 4k.
 */
export function topK(n: number, k: number, keep: (i: number) => boolean, before: (a: number, b: number) => number): number[] {
  let out: number[] = []
  for (let i = 0; i < n; i++) {
    if (!keep(i)) continue
    out.push(i)
    if (out.length >= 4 * k) out = out.sort(before).slice(0, k)
  }
  return out.sort(before).slice(0, k)
}
