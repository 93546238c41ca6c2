// The allocations document (snapscope.allocs/1): what `snapscope allocs` prints and a .snapscope file
// holds: the call stacks that allocated in a live process during a trace, with what each allocated,
// freed at once, and left live at the end. Sizes are as the program asked for them; frames innermost
// first; stacks sorted by leaked bytes. TypeBox definitions (see types.ts), and the live stream's
// shapes (plain interfaces: they never come from a file).
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Address, Pid, SCHEMA_LIMITS, Size, Text, Time, def } from './types'

export const ALLOCS_FORMAT = 'snapscope.allocs/1'

/** stacks a document holds at most (the totals count every stack); frames in one stack at most */
export const ALLOC_LIMITS = { stacks: 1_000_000, frames: 1_024 } as const

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Line = Type.Integer({ minimum: 1, maximum: 0xffffffff })
const Ms = Type.Number({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

export const AllocFrameSchema = def(
  'allocFrame',
  Type.Object({
    address: Address,
    /** file name of the module holding it; null: in no module */
    module: nullable(Text),
    /** demangled; null when nothing names it exactly */
    function: nullable(Text),
    file: nullable(Text),
    line: nullable(Line),
    /** address - the module's base (absent in documents that did not know it) */
    moduleOffset: Type.Optional(Size)
  })
)
export type AllocFrame = Static<typeof AllocFrameSchema>

export const AllocStackSchema = Type.Object({
  /** innermost first: frames[0] called the allocator */
  frames: Type.Array(AllocFrameSchema, { maxItems: ALLOC_LIMITS.frames }),
  /** calls that allocated from this stack during the trace */
  allocations: Size,
  /** bytes they asked for */
  bytes: Size,
  /** of those, blocks freed at once (before the thread allocated again) */
  temporary: Size,
  /** allocated during the trace and still live at its end */
  leaked: Type.Object({ blocks: Size, bytes: Size }),
  /** the most bytes of this stack live at once */
  peakBytes: Size
})
export type AllocStack = Static<typeof AllocStackSchema>

export const AllocTotalsSchema = Type.Object({
  allocations: Size,
  frees: Size,
  temporary: Size,
  leakedBlocks: Size,
  leakedBytes: Size,
  /** the most bytes allocated during the trace live at once */
  peakBytes: Size
})
export type AllocTotals = Static<typeof AllocTotalsSchema>

export const AllocsDocSchema = def(
  'allocs',
  Type.Object({
    format: Type.Literal(ALLOCS_FORMAT),
    pid: Pid,
    /** how the allocator was traced: "uprobes-glibc" … */
    mechanism: Type.String({ maxLength: 64 }),
    startedAt: Type.Optional(Time),
    durationMs: Ms,
    /** "stopped" (time up or asked), "target-exited", "error: …" (absent in older documents) */
    endReason: Type.Optional(Type.String({ maxLength: SCHEMA_LIMITS.message })),
    /** events the kernel dropped */
    lost: Size,
    totals: AllocTotalsSchema,
    stacks: Type.Array(AllocStackSchema, { maxItems: ALLOC_LIMITS.stacks }),
    /** stacks left out of `stacks` (those that leaked least); the totals count them */
    omittedStacks: Type.Optional(Size),
    /** frees of blocks allocated before the trace (not in `frees`), and blocks allocated past the tracer's
     *  live-block cap, counted but not followed to their free (absent in older documents) */
    untracked: Type.Optional(Type.Object({ frees: Size, blocks: Size }))
  })
)
export type AllocsDoc = Static<typeof AllocsDocSchema>

// ---- the live stream ----

/** One stack as the live view shows it: its code addresses as ids into the table the updates build. */
export interface LiveAllocStack {
  id: number
  /** address ids, innermost first */
  addresses: number[]
  allocations: number
  bytes: number
  temporary: number
  /** allocated during the trace and live now */
  liveBlocks: number
  liveBytes: number
}

/** Live totals of a trace: what the toolbar shows. */
export interface AllocLiveTotals {
  allocations: number
  frees: number
  temporary: number
  liveBlocks: number
  liveBytes: number
  peakBytes: number
}

/** What the main process sends about a live trace, a few times a second, bounded whatever the rate. */
export interface AllocUpdate {
  traceId: number
  pid: number
  nowMs: number
  totals: AllocLiveTotals
  lost: number
  /** distinct stacks seen so far */
  stackCount: number
  /** addresses first met, or named, since the last update: the frames of each (several where code was inlined) */
  addresses: { id: number; frames: AllocFrame[] }[]
  /** the stacks with the most live bytes (then bytes), at most MAX_LIVE_STACKS */
  stacks: LiveAllocStack[]
}

/** stacks one update carries at most */
export const MAX_LIVE_STACKS = 500
