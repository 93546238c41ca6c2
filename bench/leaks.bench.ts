// The leak scan of a big heap against a real baseline: leak_fixture with 1,000,000 blocks of 448
// bytes (~460 MiB of heap) and 512 MiB of anonymous memory full of non-pointers (roots), ~1 GiB in
// all. The scan (stop, heap walk, roots, marking, resume, types) is timed as a whole; the baseline
// is bench/baselines/vm_readv.c copying every writable mapping of the target (the same bytes: roots
// and heaps, free chunks included) with the fastest window. Also: how long the target was stopped,
// and the inspector's peak memory against the scan's stated bound: 64 bytes per used block (the walk's
// 24 and the index's 16 while it is built, then two words and a verdict per block and the mark stack,
// with room for the allocator's slack) + 1/64 of the heap's bytes (the walker's chunk bit sets) + 8 MiB.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadAddon, type NativeWalkProgress } from '../native/index'
import { startFixture } from '../native/test/fixtures'
import { timeRuns, type BenchResult } from './result'
import { buildVmReadv, copyRanges } from './vmReadv'

const TARGET_RATIO = 0.25
const WINDOWS = [64 << 10, 256 << 10, 1 << 20]
const BYTES_PER_BLOCK_BOUND = 64
const FIXED_BOUND = 8 << 20
const MAX_RANGES = 256 // what vm_readv takes

export async function leaksBench(log: (s: string) => void): Promise<BenchResult[]> {
  const addon = loadAddon()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-bench-'))
  const readv = buildVmReadv(dir)
  const fixture = await startFixture<{ pid: number }>('leak_fixture', ['--truth', path.join(dir, 'truth.txt'), '--bulk', '1000000', '--bulk-size', '448', '--pad-mb', '512'])
  try {
    const { pid } = fixture.info
    let progress: NativeWalkProgress | undefined
    const scan = () => addon.leakScan({ pid }, (p) => (progress = p)).result
    const rssBefore = process.memoryUsage().rss
    const first = await scan()
    // The peak of one scan (later ones run on other pool threads, whose malloc arenas keep their own free memory).
    const peakMb = process.resourceUsage().maxRSS / 1024
    const scanned = progress!.totalBytes
    const blocks = Object.values(first.summary).reduce((s, t) => s + t.blocks, 0)
    const times: number[] = []
    const stops: number[] = []
    for (const ms of await timeRuns(3, async () => stops.push((await scan()).stoppedMs))) times.push(ms)
    const scanMs = Math.min(...times)
    const heapBytes = (await addon.snapshot({ processes: false, threads: false, heapLists: true, pid })).heapLists.reduce((n, h) => n + h.size, 0)
    const boundMb = (blocks * BYTES_PER_BLOCK_BOUND + heapBytes / 64 + FIXED_BOUND) / 1048576

    const regions = (await addon.memoryRegions(pid))
      .filter((r) => r.perms.startsWith('rw') && !r.path.startsWith('/dev/'))
      .map((r) => ({ start: BigInt(r.start), end: BigInt(r.end) }))
    regions.sort((a, b) => Number(b.end - b.start - (a.end - a.start))) // the largest, if there are more than vm_readv takes
    const ranges = regions.slice(0, MAX_RANGES).map((r) => `${r.start.toString(16)}-${r.end.toString(16)}`)
    const { fastest: raw } = copyRanges(readv, pid, ranges, WINDOWS, 3)
    const rate = scanned / (scanMs / 1000)
    const ratio = rate / raw.bytesPerSecond
    const mbs = (bytesPerSecond: number) => Math.round(bytesPerSecond / 1e6)
    log(`leaks: ${blocks.toLocaleString()} blocks, ${(scanned / 1048576).toFixed(0)} MiB scanned in ${scanMs.toFixed(0)} ms; copy of ${(raw.bytes / 1048576).toFixed(0)} MiB ${(raw.bestNs / 1e6).toFixed(0)} ms`)
    return [
      {
        name: 'leak scan vs raw process_vm_readv (1 M blocks, ~1 GiB of roots and heap)',
        value: mbs(rate),
        unit: 'MB/s',
        baseline: 'process_vm_readv copy of every writable mapping of the target, fastest window (bench/baselines/vm_readv.c, best of 3)',
        baselineValue: mbs(raw.bytesPerSecond),
        ratio: Math.round(ratio * 1000) / 1000,
        target: `ratio >= ${TARGET_RATIO}`,
        met: ratio >= TARGET_RATIO,
        notes:
          `${blocks} used blocks; ${scanned} bytes scanned (roots + used blocks) in ${scanMs.toFixed(0)} ms, whole call, best of 3 ` +
          `(stop, walk, roots, marking, resume, type names); copy of ${raw.bytes} bytes in ${(raw.bestNs / 1e6).toFixed(0)} ms with a ${raw.window >> 10} KiB window`
      },
      {
        name: 'leak scan: target stopped (1 M blocks, ~1 GiB)',
        value: Math.round(Math.min(...stops)),
        unit: 'ms',
        baseline: 'the whole scan call',
        baselineValue: Math.round(scanMs),
        ratio: Math.round((Math.min(...stops) / scanMs) * 100) / 100,
        target: 'reported',
        met: null,
        notes: `stopped ${stops.map((s) => s.toFixed(0)).join(', ')} ms over 3 scans (types are named after the target runs again)`
      },
      {
        name: 'leak scan: inspector peak memory (1 M blocks)',
        value: Math.round(peakMb),
        unit: 'MB',
        baseline: `bound: ${BYTES_PER_BLOCK_BOUND} B per used block + heap bytes / 64 + 8 MiB, above the start`,
        baselineValue: Math.round(boundMb),
        ratio: Math.round(((peakMb * 1048576 - rssBefore) / 1048576 / boundMb) * 100) / 100,
        target: 'peak above the start <= the bound',
        met: (peakMb * 1048576 - rssBefore) / 1048576 <= boundMb,
        notes: `peak RSS ${peakMb.toFixed(0)} MB, ${((peakMb * 1048576 - rssBefore) / 1048576).toFixed(0)} MB above the ${(rssBefore / 1048576).toFixed(0)} MB at the start`
      }
    ]
  } finally {
    await fixture.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
