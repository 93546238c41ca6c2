// Finds which module a PC belongs to and which region a VA lies in: sorted ranges + binary search.
// Addresses arrive as BigInt (kernel addresses do not fit a double).

export interface Range<T> {
  start: bigint
  end: bigint
  value: T
}

export class RangeMap<T> {
  private readonly ranges: Range<T>[]

  constructor(ranges: Range<T>[]) {
    this.ranges = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
  }

  get size(): number {
    return this.ranges.length
  }

  /** The range holding `address`, or undefined. */
  find(address: bigint): Range<T> | undefined {
    let lo = 0
    let hi = this.ranges.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const r = this.ranges[mid]
      if (address < r.start) hi = mid - 1
      else if (address >= r.end) lo = mid + 1
      else return r
    }
    return undefined
  }
}

/** x86-64 and arm64 put the kernel in the upper half of the address space. */
export const isKernelAddress = (address: bigint): boolean => address >= 0x8000_0000_0000_0000n

export const hex = (address: bigint): string => '0x' + address.toString(16)
