// The timeline document (snapscope.timeline/1): periodic samples of one process, for seeing what grows.
// Type-only and free of Node imports: the IPC contract and the renderer use it too.
import type { HistogramBucket, HostInfo, SnapshotError } from './types'

export const TIMELINE_FORMAT = 'snapscope.timeline/1'

/** The heaps of a process summed over all its heaps (size classes merged by range). */
export interface HeapTotals {
  heapCount: number
  usedBlocks: number
  usedBytes: number
  freeBlocks: number
  freeBytes: number
  histogram: HistogramBucket[]
}

export interface TimelineSample {
  takenAt: string
  workingSetBytes: number
  /** resident anonymous memory (Linux RssAnon); null where the platform does not say */
  privateBytes: number | null
  threadCount: number
  moduleCount: number
  /** null when the heaps could not be walked (allocator not supported, access denied): see `errors` */
  heap: HeapTotals | null
}

/** A module's life over the samples: loaded in samples firstSample..lastSample (indexes). */
export interface TimelineModule {
  moduleName: string
  exePath: string
  firstSample: number
  lastSample: number
}

export interface TimelineDoc {
  format: typeof TIMELINE_FORMAT
  pid: number
  exeFile: string
  host: HostInfo
  startedAt: string
  /** the interval between samples: the one asked for, doubled each time the timeline was thinned */
  everyMs: number
  /** times every other sample was dropped to stay within MAX_TIMELINE_SAMPLES (capture.ts) */
  thinned: number
  /** "completed" (time up), "stopped" (asked), "target-exited", or "error: …" */
  endReason: string
  samples: TimelineSample[]
  modules: TimelineModule[]
  /** distinct problems met while sampling (the first of each code and scope) */
  errors: SnapshotError[]
}
