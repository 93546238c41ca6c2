// Heap walks against a real baseline: the same bytes merely copied out of the target with
// process_vm_readv (bench/baselines/vm_readv.c, the call the walker reads with, into one reused
// buffer, with whichever window copies fastest here), so the ratio says what parsing ~1 M chunk headers costs on top of reading
// the memory at all. The main arena of heap_fixture --blocks 1000000 (~32 MiB, one [heap] mapping)
// is walked alone (heapId), summary only (limit 0: the native walk, no JS objects), not stopped
// (the fixture is idle, and the copy does not stop it either); best of 5 each.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadAddon, type NativeWalkProgress } from '../native/index'
import { startFixture } from '../native/test/fixtures'
import { timeRuns, type BenchResult } from './result'
import { buildVmReadv, copyRanges } from './vmReadv'

/** The walk may cost at most 10x a plain copy of the same bytes (ratio = walk speed / copy speed). */
const TARGET_RATIO = 0.1
/** copy windows tried; the fastest is the baseline (the walker's own window is 1 MiB) */
const WINDOWS = [64 << 10, 256 << 10, 1 << 20, 4 << 20]
const kib = (bytes: number) => `${bytes >> 10} KiB`

export async function heapBaselineBench(log: (s: string) => void): Promise<BenchResult[]> {
  const addon = loadAddon()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-bench-'))
  const readv = buildVmReadv(dir)
  const fixture = await startFixture<{ pid: number }>('heap_fixture', ['--blocks', '1000000'])
  try {
    const { pid } = fixture.info
    const snap = await addon.snapshot({ processes: false, threads: false, heapLists: true, pid })
    const main = snap.heapLists.find((h) => h.kind === 'main-arena')
    if (!main) throw new Error(`heap_fixture ${pid} has no main arena in its heap list: ${JSON.stringify(snap.errors)}`)
    const start = BigInt(main.baseAddress)
    const range = `${start.toString(16)}-${(start + BigInt(main.size)).toString(16)}`

    let progress: NativeWalkProgress | undefined
    const walk = (limit: number, stopTarget = false) =>
      addon.heapWalk({ pid, heapId: main.heapId, offset: 0, limit, stopTarget }, (p) => (progress = p)).result
    const first = await walk(0)
    const blocks = first.heaps[0].summary.blockCount
    const walkMs = Math.min(...(await timeRuns(5, () => walk(0))))
    const scanned = progress?.totalBytes ?? main.size
    const stoppedMs = Math.min(...(await timeRuns(3, () => walk(0, true))))
    const fullMs = Math.min(...(await timeRuns(3, () => walk(Number.MAX_SAFE_INTEGER))))

    // As fast as the copy goes here: the best of several windows (small ones stay in the L2 cache).
    const { copies, fastest: raw } = copyRanges(readv, pid, [range], WINDOWS, 5)
    const walkRate = scanned / (walkMs / 1000)
    const ratio = walkRate / raw.bytesPerSecond
    const mbs = (bytesPerSecond: number) => Math.round(bytesPerSecond / 1e6)
    log(`heap baseline: main arena ${(main.size / 1048576).toFixed(1)} MiB, ${blocks.toLocaleString()} blocks; walk ${walkMs.toFixed(1)} ms, copy ${(raw.bestNs / 1e6).toFixed(1)} ms`)
    return [
      {
        name: 'heap walk vs raw process_vm_readv of the same heap (main arena, 1 M blocks, summary only)',
        value: mbs(walkRate),
        unit: 'MB/s',
        baseline: 'process_vm_readv copy of the same bytes, fastest window (bench/baselines/vm_readv.c, best of 5)',
        baselineValue: mbs(raw.bytesPerSecond),
        ratio: Math.round(ratio * 1000) / 1000,
        target: `ratio >= ${TARGET_RATIO} (a walk costs at most ${Math.round(1 / TARGET_RATIO)}x copying the memory)`,
        met: ratio >= TARGET_RATIO,
        notes:
          `${blocks} blocks in ${scanned} bytes: walk ${walkMs.toFixed(1)} ms (${((blocks / walkMs) * 1000 / 1e6).toFixed(1)} M blocks/s), ` +
          `copy ${(raw.bestNs / 1e6).toFixed(2)} ms of ${raw.bytes} bytes with a ${kib(raw.window)} window ` +
          `(${copies.map((c) => `${kib(c.window)}: ${Math.round(c.bytesPerSecond / 1e6)} MB/s`).join(', ')}); stopped walk ${stoppedMs.toFixed(1)} ms (stop + resume included); ` +
          `every block returned to JS ${fullMs.toFixed(1)} ms`
      }
    ]
  } finally {
    await fixture.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
