// Leak scans as documents of the data contract (snapscope.leaks/1). The addon hands blocks over as
// columns; they become objects only when the document asks for them (--blocks).
import type { NativeAddon, NativeLeakScan, NativeWalkProgress } from '../../../native/index'
import { LEAK_KINDS, LOST_KINDS, type LeakBlock, type LeakGroup, type LeakReferrer, type LeaksDoc } from '../../../src-common/contract/leakTypes'
import { hex } from '../addressMap'

export interface LeakScanOptions {
  pid: number
  /** list every used block with its verdict and type */
  blocks?: boolean
}

export interface LeakScanRun {
  result: Promise<LeaksDoc>
  cancel(): void
}

const typeName = (scan: NativeLeakScan, index: number): string | null => (index > 0 ? scan.types[index] ?? null : null)

function blocksOf(scan: NativeLeakScan): LeakBlock[] | undefined {
  const b = scan.blocks
  if (!b) return undefined
  const out = new Array<LeakBlock>(b.addresses.length)
  for (let i = 0; i < out.length; i++) {
    out[i] = { address: hex(b.addresses[i]), blockSize: b.sizes[i], kind: LEAK_KINDS[b.kinds[i]] ?? 'reachable', type: typeName(scan, b.types[i]) }
  }
  return out
}

/** The document of a native scan, taken at `takenAt`. */
export function leaksDoc(scan: NativeLeakScan, takenAt: string): LeaksDoc {
  const groups = scan.groups.map(
    (g): LeakGroup => ({
      kind: LOST_KINDS[g.kind] ?? 'definitely-lost',
      type: typeName(scan, g.type),
      blockSize: g.blockSize || null,
      count: g.count,
      bytes: g.bytes,
      examples: Array.from(g.examples, hex)
    })
  )
  const blocks = blocksOf(scan)
  return {
    format: 'snapscope.leaks/1',
    pid: scan.pid,
    takenAt,
    stopped: scan.stopped,
    stoppedMs: scan.stoppedMs,
    roots: scan.roots,
    summary: scan.summary,
    groups,
    ...(blocks ? { blocks } : {}),
    errors: scan.errors
  }
}

export function scanLeaks(addon: NativeAddon, options: LeakScanOptions, onProgress?: (p: NativeWalkProgress) => void): LeakScanRun {
  const takenAt = new Date().toISOString()
  const handle = addon.leakScan({ pid: options.pid, blocks: options.blocks ?? false }, onProgress)
  return { result: handle.result.then((scan) => leaksDoc(scan, takenAt)), cancel: () => handle.cancel() }
}

/** Scans `pid` (stopped meanwhile) for the words that point at the blocks holding `addresses` ("0x…", at most 64). */
export async function blockReferrers(addon: NativeAddon, pid: number, addresses: string[]): Promise<LeakReferrer[]> {
  const scan = await addon.leakScan({ pid, referrersOf: addresses.map(Number) }).result
  return scan.referrers.map((r) => ({
    target: hex(r.target),
    from: r.from ? hex(r.from) : null,
    fromBlock: r.fromBlock ? hex(r.fromBlock) : null,
    source: r.source,
    interior: r.interior
  }))
}

/** A hex/ASCII preview of `bytes` read at `address`: 16 bytes a line, as `xxd` prints them. */
export function hexPreview(address: number, bytes: Uint8Array): string {
  const lines: string[] = []
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16)
    const hexPart = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ')
    const text = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
    lines.push(`${hex(address + at)}  ${hexPart.padEnd(47)}  ${text}`)
  }
  return lines.join('\n')
}
