// The raw copy baseline of the heap benches: bench/baselines/vm_readv.c built into a temporary
// folder, run over some ranges of a target with each window; the fastest copy is the baseline.
import { execFileSync } from 'node:child_process'
import path from 'node:path'

export interface Copy {
  bytes: number
  bestNs: number
  bytesPerSecond: number
  window: number
}

/** Builds vm_readv into `dir`; returns its path. */
export function buildVmReadv(dir: string): string {
  const readv = path.join(dir, 'vm_readv')
  execFileSync('cc', ['-O2', '-o', readv, path.join(__dirname, 'baselines', 'vm_readv.c')], { stdio: ['ignore', 'pipe', 'pipe'] })
  return readv
}

/** Every window's copy of `ranges` ("start-end" in hex) of `pid`, best of `repeats` each, and the fastest. */
export function copyRanges(readv: string, pid: number, ranges: string[], windows: number[], repeats: number): { copies: Copy[]; fastest: Copy } {
  const copies = windows.map(
    (window) => JSON.parse(execFileSync(readv, [String(pid), ...ranges, '--repeat', String(repeats), '--window', String(window)], { encoding: 'utf8' })) as Copy
  )
  return { copies, fastest: copies.reduce((best, c) => (c.bytesPerSecond > best.bytesPerSecond ? c : best)) }
}
