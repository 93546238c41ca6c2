// Issue 2: the addon's full process+thread snapshot (in-process, warm) against
// `ps -eLo pid,ppid,tid,comm,nlwp,pri` on the same load of >= 500 extra processes and 2,500 extra threads.
import { spawnSync } from 'node:child_process'
import { loadAddon } from '../native/index'
import { startFixture } from '../native/test/fixtures'
import { median, timeRuns, type BenchResult } from './result'

export async function snapshotBench(log: (s: string) => void): Promise<BenchResult[]> {
  const addon = loadAddon()
  const load = await startFixture<{ pid: number; processes: number; threads: number }>('load', ['--processes', '500', '--threads', '2500'])
  try {
    const warm = await addon.snapshot({ processes: true, threads: true, pid: null })
    log(`load: ${warm.processes.length} processes, ${warm.threads.length} threads on the machine`)
    await timeRuns(5, () => addon.snapshot({ processes: true, threads: true, pid: null }))
    const ours = median(await timeRuns(30, () => addon.snapshot({ processes: true, threads: true, pid: null })))
    const ps = median(
      await timeRuns(15, () => {
        const r = spawnSync('ps', ['-eLo', 'pid,ppid,tid,comm,nlwp,pri'], { stdio: ['ignore', 'ignore', 'inherit'] })
        if (r.status !== 0) throw new Error(`ps failed: ${r.status}`)
      })
    )
    const ratio = ours / ps
    return [
      {
        name: 'snapshot: processes+threads (addon, warm, median of 30)',
        value: round(ours),
        unit: 'ms',
        baseline: 'ps -eLo pid,ppid,tid,comm,nlwp,pri (median of 15)',
        baselineValue: round(ps),
        ratio: round(ratio, 3),
        target: 'ratio <= 0.25',
        met: ratio <= 0.25,
        notes: `${warm.processes.length} processes, ${warm.threads.length} threads`
      }
    ]
  } finally {
    await load.stop()
  }
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits
