// The address axis of the fault scatter. The address space is mostly empty, so a linear axis would
// squash every fault into a line or two: instead each faulted region gets a band of equal height
// (lowest addresses at the bottom), and a fault's height inside its band is its offset in the region.
import type { RegionCode, WatchRegion } from '../../../src-common/contract/contract'

export interface Band {
  start: number
  end: number
  kind: RegionCode
  /** the region's name: file, "stack TID", "heap", "anon" */
  name: string
  /** what the axis prints */
  label: string
}

/** Mappings closer than this with the same name merge into one band (a library's r-x, r--, rw- parts). */
const MERGE_GAP = 64 * 1024

const parse = (hex: string) => Number.parseInt(hex.slice(2), 16)

/** A band's name on the axis: files and stacks by name, anonymous memory by where it starts. */
function bandLabel(r: WatchRegion, start: number): string {
  return r.kind === 'anon' || r.kind === 'heap' ? `${r.label} ${start.toString(16)}` : r.label
}

export function bandsOf(regions: readonly WatchRegion[]): Band[] {
  const sorted = regions.map((r) => ({ r, start: parse(r.start), end: parse(r.end) })).sort((a, b) => a.start - b.start)
  const bands: Band[] = []
  for (const { r, start, end } of sorted) {
    const last = bands.at(-1)
    if (last && last.kind === r.kind && last.name === r.label && start - last.end <= MERGE_GAP && r.kind !== 'anon') {
      last.end = Math.max(last.end, end)
      continue
    }
    bands.push({ start, end, kind: r.kind, name: r.label, label: bandLabel(r, start) })
  }
  return bands
}

/** y of an address: band index + offset fraction in the band; NaN outside every band. */
export function bandY(bands: readonly Band[], va: number): number {
  let lo = 0
  let hi = bands.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const b = bands[mid]
    if (va < b.start) hi = mid - 1
    else if (va >= b.end) lo = mid + 1
    else return mid + (va - b.start) / (b.end - b.start)
  }
  return Number.NaN
}
