// Fault counts by module, region, thread and pc, and the summary of the data contract built from
// them: one for a whole watch, one per query over a window of raw records.

import { REGION_CODES, type WatchSummary } from '../../src-common/contract/types'
import { KERNEL, TWO_32, hex, isKernelHalf } from './addressMap'

export const TOP_PCS = 20

/** What a top pc says of its code: module+offset (`symbol`) and its name where known. */
export type PcName = Omit<WatchSummary['topPcs'][number], 'pc' | 'count'>

export class FaultCounts {
  total = 0
  /** by module id */
  readonly byModule: number[] = []
  /** by REGION_CODES index */
  readonly byRegion: number[] = new Array<number>(REGION_CODES.length).fill(0)
  readonly byThread = new Map<number, number>()
  // User pcs fit a double exactly; kernel pcs (rare, and all "[kernel]") keep their BigInt.
  private readonly byPc = new Map<number, number>()
  private readonly byKernelPc = new Map<bigint, number>()

  /** `newPcs`, when given, hears of each user pc the first time it is counted (to name it). */
  constructor(private readonly newPcs?: number[]) {}

  /** Counts record i of `pcs` (whose halves are pcHi/pcLo). */
  add(module: number, region: number, tid: number, pcHi: number, pcLo: number, pcs: BigUint64Array, i: number): void {
    this.total++
    this.byModule[module] = (this.byModule[module] ?? 0) + 1
    this.byRegion[region]++
    bump(this.byThread, tid)
    if (isKernelHalf(pcHi)) bump(this.byKernelPc, pcs[i])
    else if (pcHi !== 0 || pcLo !== 0) {
      const pc = pcHi * TWO_32 + pcLo
      const seen = this.byPc.get(pc)
      this.byPc.set(pc, (seen ?? 0) + 1)
      if (seen === undefined) this.newPcs?.push(pc)
    }
  }

  /** The user pcs counted, most first. */
  pcs(limit = Number.POSITIVE_INFINITY): number[] {
    return sorted(this.byPc)
      .slice(0, limit)
      .map(([pc]) => pc)
  }

  topPcs(nameOf: (pc: number) => PcName, limit = TOP_PCS): WatchSummary['topPcs'] {
    const user = this.pcs(limit).map((pc) => ({ pc: hex(pc), ...nameOf(pc), count: this.byPc.get(pc)! }))
    const kernel = sorted(this.byKernelPc)
      .slice(0, limit)
      .map(([pc, count]) => ({ pc: '0x' + pc.toString(16), symbol: KERNEL, count }))
    return [...user, ...kernel].sort((a, b) => b.count - a.count).slice(0, limit)
  }

  byModuleNamed(names: readonly string[]): WatchSummary['byModule'] {
    const out: WatchSummary['byModule'] = []
    this.byModule.forEach((count, id) => count > 0 && out.push({ module: names[id], count }))
    return out.sort((a, b) => b.count - a.count)
  }

  summary(names: readonly string[], nameOf: (pc: number) => PcName): WatchSummary {
    return {
      total: this.total,
      byModule: this.byModuleNamed(names),
      byRegion: REGION_CODES.map((region, code) => ({ region, count: this.byRegion[code] }))
        .filter((r) => r.count > 0)
        .sort((a, b) => b.count - a.count),
      byThread: sorted(this.byThread).map(([tid, count]) => ({ tid, count })),
      topPcs: this.topPcs(nameOf)
    }
  }
}

export function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by)
}

export function sorted<K>(map: Map<K, number>): [K, number][] {
  return [...map].sort((a, b) => b[1] - a[1])
}

/** The two 32-bit halves of each address of a BigUint64Array (every supported target is little-endian). */
export const halves = (a: BigUint64Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length * 2)
