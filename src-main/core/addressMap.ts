// Finds which module a PC belongs to and which region a VA lies in: sorted ranges + binary search,
// over the modules and regions the backend lists for the process (AddressMap).
// Addresses are doubles, not BigInt: a watch attributes up to a million faults a second, and BigInt
// allocation and comparison would dominate that loop. User-space addresses (< 2^53) are exact as
// doubles; kernel addresses are told apart by their top bit before they ever get here.

import path from 'node:path'
import type { NativeAddon } from '../../native/index'
import { REGION_CODES } from '../../src-common/contract/types'

export interface Range<T> {
  start: number
  end: number
  value: T
}

export class RangeIndex<T> {
  private readonly starts: Float64Array
  private readonly ends: Float64Array
  readonly values: readonly T[]
  // Faults come in runs from the same code and the same pages: try the last hit first.
  private last = -1

  constructor(ranges: readonly Range<T>[]) {
    const sorted = [...ranges].sort((a, b) => a.start - b.start)
    this.starts = Float64Array.from(sorted, (r) => r.start)
    this.ends = Float64Array.from(sorted, (r) => r.end)
    this.values = sorted.map((r) => r.value)
  }

  /** The index of the range holding `address`, or -1. */
  indexOf(address: number): number {
    const last = this.last
    if (last >= 0 && address >= this.starts[last] && address < this.ends[last]) return last
    let lo = 0
    let hi = this.starts.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (address < this.starts[mid]) hi = mid - 1
      else if (address >= this.ends[mid]) lo = mid + 1
      else return (this.last = mid)
    }
    return -1
  }

  find(address: number): Range<T> | undefined {
    const i = this.indexOf(address)
    return i < 0 ? undefined : { start: this.starts[i], end: this.ends[i], value: this.values[i] }
  }

  /** The ranges, in address order. */
  ranges(): Range<T>[] {
    return this.values.map((value, i) => ({ start: this.starts[i], end: this.ends[i], value }))
  }

  /** Whether any range overlaps [start, end). */
  overlaps(start: number, end: number): boolean {
    let lo = 0
    let hi = this.starts.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (end <= this.starts[mid]) hi = mid - 1
      else if (start >= this.ends[mid]) lo = mid + 1
      else return true
    }
    return false
  }
}

/** A 64-bit address held as two 32-bit halves (a little-endian view of a BigUint64Array). */
const KERNEL_HALF = 0x8000_0000
export const TWO_32 = 4_294_967_296

/** x86-64 and arm64 put the kernel in the upper half of the address space. */
export const isKernelHalf = (hi: number): boolean => hi >= KERNEL_HALF

/** Exact lowercase hex of a 64-bit address given as halves, without a BigInt. */
export function hexHalves(hi: number, lo: number): string {
  return hi === 0 ? '0x' + lo.toString(16) : '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0')
}

/** Exact hex of an address that fits a double exactly (user space). */
export const hex = (address: number): string => '0x' + address.toString(16)

/** "0x…" (as the contract writes addresses) to a double; NaN when it is not hex. */
export function parseAddress(text: string): number {
  return /^0x[0-9a-f]{1,16}$/i.test(text) ? Number.parseInt(text.slice(2), 16) : Number.NaN
}

export const KERNEL = '[kernel]'
export const UNKNOWN = '[unknown]'
const KERNEL_ID = 0
const UNKNOWN_ID = 1
const UNKNOWN_REGION = REGION_CODES.indexOf('unknown')

/** A mapping of the process as the backend listed it, and how many faults landed in it. */
export interface RegionInfo {
  /** index into REGION_CODES */
  code: number
  label: string
  start: number
  end: number
  hits: number
}

/**
 * The modules and regions of one watched process, from the backend's module list and memory
 * regions, and the attribution of faults to them. Read once at the start and again (load()) when
 * faults land where nothing was mapped when it was read: a library loaded later, a heap grown, a new
 * mapping. Module ids stay the same across loads (by module name); an unloaded module's range stays
 * until another takes its place. Where another image took a module's place (an exec, a library
 * loaded where one was unloaded), `replaced` hears of the range: names of code there are stale.
 */
export class AddressMap {
  readonly moduleNames: string[] = [KERNEL, UNKNOWN]
  private readonly moduleIds = new Map<string, number>(this.moduleNames.map((name, id) => [name, id]))
  private modules = new RangeIndex<number>([])
  /** what image each module range holds (path and size), by its start */
  private images = new Map<number, string>()
  private regions = new RangeIndex<RegionInfo>([])

  constructor(
    private readonly addon: Pick<NativeAddon, 'snapshot' | 'memoryRegions'>,
    private readonly pid: number,
    private readonly replaced: (start: number, end: number) => void = () => {}
  ) {}

  /** Reads the modules and regions again; false (the last ones kept) when the process can't be read now. */
  async load(): Promise<boolean> {
    try {
      const [snap, regions] = await Promise.all([
        this.addon.snapshot({ processes: false, threads: false, modules: true, heapLists: true, pid: this.pid }),
        this.addon.memoryRegions(this.pid)
      ])
      const listed = new RangeIndex(
        snap.modules.map((m) => ({ start: Number(m.baseAddress), end: Number(m.baseAddress) + m.baseSize, value: this.moduleId(m.moduleName) }))
      )
      // A module unloaded since (dlclose) keeps its range until something else is mapped there: faults
      // it raised before are still its own, in the summary and in records attributed late.
      const images = new Map(snap.modules.map((m) => [Number(m.baseAddress), `${m.exePath}\0${m.baseSize}`]))
      const before = this.modules.ranges()
      const unloaded = before.filter((r) => !listed.overlaps(r.start, r.end))
      for (const r of unloaded) images.set(r.start, this.images.get(r.start)!)
      const changed = before.filter((r) => listed.overlaps(r.start, r.end) && images.get(r.start) !== this.images.get(r.start))
      this.modules = unloaded.length ? new RangeIndex([...listed.ranges(), ...unloaded]) : listed
      this.images = images
      for (const r of changed) this.replaced(r.start, r.end)
      // Anonymous mappings inside a heap (glibc's thread arenas) count as heap.
      const heaps = new RangeIndex(snap.heapLists.map((h) => ({ start: Number(h.baseAddress), end: Number(h.baseAddress) + h.size, value: h.kind })))
      this.regions = new RangeIndex(
        regions.map((r) => {
          const start = Number(r.start)
          const end = Number(r.end)
          const kind = r.kind === 'anon' && heaps.indexOf(start) >= 0 ? 'heap' : r.kind
          const label = kind === 'stack' && r.tid ? `stack ${r.tid}` : r.path ? path.basename(r.path) : kind
          return { start, end, value: { code: REGION_CODES.indexOf(kind), label, start, end, hits: 0 } }
        })
      )
      return true
    } catch {
      return false // exited, or mid-exec: the last maps stay
    }
  }

  private moduleId(name: string): number {
    let id = this.moduleIds.get(name)
    if (id === undefined) {
      id = this.moduleNames.push(name) - 1
      this.moduleIds.set(name, id)
    }
    return id
  }

  /** The id faults of a module are counted under, or undefined if it was never listed. */
  moduleIdOf(name: string): number | undefined {
    return this.moduleIds.get(name)
  }

  /** The module holding a user pc and the pc's offset in it. */
  moduleAt(pc: number): { module: string; moduleOffset: number } | undefined {
    const m = this.modules.find(pc)
    return m && { module: this.moduleNames[m.value], moduleOffset: pc - m.start }
  }

  /** "module+0xoffset" for a user pc, the bare pc outside every module. */
  symbolOf(pc: number): string {
    const m = this.moduleAt(pc)
    return m ? `${m.module}+0x${m.moduleOffset.toString(16)}` : hex(pc)
  }

  /**
   * Attributes records of a batch (pcs and vas as 32-bit halves): module[i] by pc, region[i] by va,
   * for each i of `which` (every record when absent); `touched` hears of each region's first fault.
   * Returns the records that fell outside everything mapped when the map was read: a pc in no region
   * (in one that is not a module's, it is code of no module: JIT code, say) or a va in no region.
   */
  attribute(
    pcs: Uint32Array,
    vas: Uint32Array,
    module: Int32Array,
    region: Uint8Array,
    touched: (info: RegionInfo) => void,
    which?: readonly number[]
  ): number[] {
    const { modules, regions } = this
    const missed: number[] = []
    const n = which ? which.length : module.length
    for (let k = 0; k < n; k++) {
      const i = which ? which[k] : k
      const pcLo = pcs[2 * i]
      const pcHi = pcs[2 * i + 1]
      const va = vas[2 * i + 1] * TWO_32 + vas[2 * i]
      let miss = false
      let m = UNKNOWN_ID // pc 0: the mechanism can't see it (pagemap diffs)
      if (isKernelHalf(pcHi)) m = KERNEL_ID
      else if (pcHi !== 0 || pcLo !== 0) {
        const pc = pcHi * TWO_32 + pcLo
        const at = modules.indexOf(pc)
        if (at >= 0) m = modules.values[at]
        else miss = regions.indexOf(pc) < 0
      }
      const r = regions.indexOf(va)
      let code = UNKNOWN_REGION
      if (r >= 0) {
        const info = regions.values[r]
        code = info.code
        if (info.hits++ === 0) touched(info)
      } else miss = true
      module[i] = m
      region[i] = code
      if (miss) missed.push(i)
    }
    return missed
  }
}
