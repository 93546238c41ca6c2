// One sample of one process for a timeline: working set, private bytes, threads, modules and the
// heap summary (a walk with limit 0: every block counted into size classes, none copied — fast).
import type { NativeAddon } from '../../../native/index'
import type { SnapshotError } from '../../../src-common/contract/types'
import { sumHeaps } from '../../../src-common/model/capture/heapTotals'
import { processExtras } from '../processExtras'
import type { TimelineSample } from '../../../src-common/contract/timelineTypes'
import { codedError, toErrorPayload } from '../../../src-common/contract/errors'

export interface SampleOptions {
  pid: number
  /** walk the heaps (summary only); off when the allocator can't be walked or to sample faster */
  heap: boolean
}

export interface Sampled {
  sample: TimelineSample
  exeFile: string
  modules: { moduleName: string; exePath: string }[]
  /** what could not be read this time (the sample goes on without it) */
  errors: SnapshotError[]
}

export type Sampler = (options: SampleOptions) => Promise<Sampled>

/** Private bytes (Linux: resident anonymous; Windows: the commit charge): what grows with a heap leak
 *  even where the working set is shared. Null where it can't be read. */
export const privateBytes = (addon: NativeAddon, pid: number): Promise<number | null> =>
  processExtras(addon, pid).then(
    (e) => e.privateBytes ?? null,
    () => null
  )

const osError = (pid: number, scope: string, err: unknown): SnapshotError => ({ pid, scope, ...toErrorPayload(err) })

/** Rejects (code ESRCH …) when the process itself can't be read: the timeline ends there. */
export function addonSampler(addon: NativeAddon): Sampler {
  return async ({ pid, heap }) => {
    const takenAt = new Date().toISOString()
    const walk = heap
      ? addon
          .heapWalk({ pid, heapId: null, offset: 0, limit: 0, stopTarget: false })
          .result.then((r) => ({ totals: sumHeaps(r.heaps.map((h) => h.summary)), errors: r.errors }))
          .catch((err: unknown) => ({ totals: null, errors: [osError(pid, 'heap', err)] }))
      : Promise.resolve({ totals: null, errors: [] })
    const [snap, priv, heaps] = await Promise.all([
      addon.snapshot({ processes: true, threads: false, modules: true, heapLists: false, pid }),
      privateBytes(addon, pid),
      walk
    ])
    const entry = snap.processes.find((p) => p.pid === pid)
    if (!entry) throw codedError('ESRCH', `process ${pid} is gone`, { pid })
    return {
      sample: {
        takenAt,
        workingSetBytes: entry.workingSetBytes,
        privateBytes: priv,
        threadCount: entry.threadCount,
        moduleCount: snap.modules.length,
        heap: heaps.totals
      },
      exeFile: entry.exeFile,
      modules: snap.modules.map((m) => ({ moduleName: m.moduleName, exePath: m.exePath })),
      errors: [...snap.errors.filter((e) => e.pid === pid), ...heaps.errors]
    }
  }
}
