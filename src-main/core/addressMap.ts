// Finds which module a PC belongs to and which region a VA lies in: sorted ranges + binary search.
// Addresses are doubles, not BigInt: a watch attributes up to a million faults a second, and BigInt
// allocation and comparison would dominate that loop. User-space addresses (< 2^53) are exact as
// doubles; kernel addresses are told apart by their top bit before they ever get here.

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
