// The timeline document (snapscope.timeline/1): periodic samples of one process, for seeing what grows.
// TypeBox definitions (see types.ts), free of Node imports: the IPC contract and the renderer use it too.
import { Type, type Static } from '@sinclair/typebox'
import { Errors, HostInfoSchema, Histogram, Pid, SCHEMA_LIMITS, Size, Text, Time, def } from './types'

export const TIMELINE_FORMAT = 'snapscope.timeline/1'

/** The heaps of a process summed over all its heaps (size classes merged by range). */
export const HeapTotalsSchema = def(
  'heapTotals',
  Type.Object({ heapCount: Size, usedBlocks: Size, usedBytes: Size, freeBlocks: Size, freeBytes: Size, histogram: Histogram })
)
export type HeapTotals = Static<typeof HeapTotalsSchema>

export const TimelineSampleSchema = Type.Object({
  takenAt: Time,
  workingSetBytes: Size,
  /** resident anonymous memory (Linux RssAnon); null where the platform does not say */
  privateBytes: Type.Union([Size, Type.Null()]),
  threadCount: Size,
  moduleCount: Size,
  /** null when the heaps could not be walked (allocator not supported, access denied): see `errors` */
  heap: Type.Union([HeapTotalsSchema, Type.Null()])
})
export type TimelineSample = Static<typeof TimelineSampleSchema>

/** A module's life over the samples: loaded in samples firstSample..lastSample (indexes). */
export const TimelineModuleSchema = Type.Object({ moduleName: Text, exePath: Text, firstSample: Size, lastSample: Size })
export type TimelineModule = Static<typeof TimelineModuleSchema>

export const TimelineDocSchema = def(
  'timeline',
  Type.Object(
    {
      format: Type.Literal(TIMELINE_FORMAT),
      pid: Pid,
      exeFile: Text,
      host: HostInfoSchema,
      startedAt: Time,
      /** the interval between samples: the one asked for, doubled each time the timeline was thinned */
      everyMs: Type.Integer({
        minimum: 1,
        maximum: 86_400_000,
        description: 'ms between samples: the interval asked for, doubled each time the timeline was thinned'
      }),
      /** times every other sample was dropped to stay within MAX_TIMELINE_SAMPLES (capture.ts) */
      thinned: Type.Integer({
        minimum: 0,
        maximum: 64,
        default: 0,
        description: 'times the timeline was full (10,000 samples) and every other sample was dropped, the first kept'
      }),
      /** "completed" (time up), "stopped" (asked), "target-exited", or "error: …" */
      endReason: Type.String({ maxLength: SCHEMA_LIMITS.message, description: 'completed, stopped, target-exited or error: …' }),
      samples: Type.Array(TimelineSampleSchema, { maxItems: SCHEMA_LIMITS.samples }),
      modules: Type.Array(TimelineModuleSchema, { maxItems: SCHEMA_LIMITS.modules }),
      /** distinct problems met while sampling (the first of each code and scope) */
      errors: Errors
    },
    { description: "Samples of one process every `everyMs` (snapscope capture). A module's firstSample..lastSample index `samples`." }
  )
)
export type TimelineDoc = Static<typeof TimelineDocSchema>
