// The data contract of ../shared/DESIGN.md. Field names follow Tool Help / PSAPI structures in camelCase.
// Imported by main, preload, web host and renderer: keep it free of Node and DOM imports.
//
// The documents Snapscope writes (and reads back from files) are TypeBox definitions: each gives its
// TypeScript type (Static<>), the file loader's check (src-main/core/files/schema.ts) and the JSON
// Schema of the file format (scripts/gen-schema.ts). Their limits are the file format's; the views'
// shapes below them, which never come from outside, stay plain interfaces.
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { described } from './validate'

// ---- the kinds, spelled once (native/index.ts and native/src/backend.h follow these lists) ----
export const INCLUDE_KINDS = ['process', 'thread', 'module', 'heaplist'] as const
export type IncludeKind = (typeof INCLUDE_KINDS)[number]
/** glibc: main-arena, thread-arena, mmapped; Windows: nt-heap; other allocators: region */
export const HEAP_KINDS = ['main-arena', 'thread-arena', 'mmapped', 'region', 'nt-heap'] as const
export type HeapKind = (typeof HEAP_KINDS)[number]
/** in the addon's order: a block's flag code indexes this list */
export const BLOCK_FLAGS = ['fixed', 'free', 'moveable'] as const
export type BlockFlag = (typeof BLOCK_FLAGS)[number]
/** what a mapping holds, as the addon's region classifier names it */
export const REGION_KINDS = ['image', 'heap', 'stack', 'anon', 'other'] as const
export type RegionKind = (typeof REGION_KINDS)[number]
/**
 * What a region of the memory map holds (native kMemoryKinds, in order: the addon's kind code indexes
 * this list): image (an executable or library, all its mappings), mapped-file (any other file), heap
 * ([heap] and the allocator's arenas and large blocks), stack (the main and every thread's), anon
 * (other anonymous memory), jit (anonymous memory that may be executed), other ([vvar], [vsyscall] …).
 */
export const MEMORY_KINDS = ['image', 'mapped-file', 'heap', 'stack', 'anon', 'jit', 'other'] as const
export type MemoryKind = (typeof MEMORY_KINDS)[number]
/** Where a symbol's name came from (native SymbolInfo::source). */
export const SYMBOL_SOURCES = ['symtab', 'dynsym', 'debuginfo', 'perf-map', 'exports', 'pdb'] as const
export type SymbolSource = (typeof SYMBOL_SOURCES)[number]
/** Where each fault lands, as codes in the live stream; the names of RegionKind plus 'unknown'. */
export const REGION_CODES = [...REGION_KINDS, 'unknown'] as const
export type RegionCode = (typeof REGION_CODES)[number]

/** Bounds on what one document may declare: far above real machines, low enough to refuse a file built to exhaust memory. */
export const SCHEMA_LIMITS = {
  items: 1_000,
  processes: 1_000_000,
  threads: 4_000_000,
  modules: 200_000,
  heaps: 100_000,
  blocks: 20_000_000,
  faults: 20_000_000,
  samples: 1_000_000,
  symbols: 1_000_000,
  regions: 1_000_000,
  /** frames inlined at one address */
  inlined: 256,
  errors: 1_000_000,
  histogram: 256,
  cmdlineArgs: 8_192,
  text: 4_096,
  arg: 131_072,
  message: 8_192
} as const

// ---- building blocks ----
const DEF = Symbol('def')
type Named = { [DEF]?: { name: string; schema: TSchema } }
/** Names a schema: the JSON Schema lists it once under $defs and refers to it wherever it is used. */
export function def<T extends TSchema>(name: string, schema: T): T {
  return Object.assign(schema, { [DEF]: { name, schema } } satisfies Named)
}
/** The $defs entry a schema stands for, kept by its copies (Type.Optional, a spread adding a default). */
export const definitionOf = (schema: object): { name: string; schema: TSchema } | undefined => (schema as Named)[DEF]

/** An enum of strings, from one of the lists above. */
export const Enum = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)))

export const Time = def(
  'time',
  described(Type.String({ maxLength: 40, description: 'ISO-8601, e.g. 2025-03-01T10:00:00.000Z' }), 'an ISO-8601 time', {
    // elapsed times and trends are computed from it
    test: (s) => !Number.isNaN(Date.parse(s))
  })
)
export const Address = def(
  'address',
  described(Type.String({ maxLength: 18, pattern: '^0x[0-9a-fA-F]{1,16}$', examples: ['0x7f3a2c000000'] }), 'an address "0x…"', { canonical: (s) => s.toLowerCase() })
)
export const MAX_PID = 0x7fffffff
export const Pid = def('pid', Type.Integer({ minimum: 0, maximum: MAX_PID }))
export const Size = def('size', Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))
const Priority = def('priority', Type.Integer({ minimum: -1_000, maximum: 1_000 }))
export const Text = def('text', Type.String({ maxLength: SCHEMA_LIMITS.text }))
const Message = Type.String({ maxLength: SCHEMA_LIMITS.message })
const Short = Type.String({ maxLength: 64 })
/** A field older writers or other platforms may leave out: readers take `value` (in the JSON Schema: not required). */
const orElse = <T extends TSchema>(schema: T, value: Static<T>): T => ({ ...schema, default: value })
const list = <T extends TSchema>(items: T, maxItems: number, options: { description?: string } = {}) => Type.Array(items, { maxItems, ...options })

// ---- snapshots ----
export const HostInfoSchema = def(
  'host',
  Type.Object({ os: Short, hostname: Type.String({ maxLength: 256 }), arch: Short, backend: Short })
)
export type HostInfo = Static<typeof HostInfoSchema>

export const SnapshotErrorSchema = def(
  'error',
  Type.Object({
    pid: Pid,
    /** what was being read: "process", "threads", "exePath", "cmdline", "snapshot" … */
    scope: Short,
    /** OS code name: ESRCH, EACCES, ERROR_ACCESS_DENIED … */
    code: Type.String({ maxLength: 64, description: "the OS code's name: ESRCH, EACCES, ERROR_ACCESS_DENIED …" }),
    message: Message
  })
)
export type SnapshotError = Static<typeof SnapshotErrorSchema>
export const Errors = def('errors', list(SnapshotErrorSchema, SCHEMA_LIMITS.errors))

export const ProcessEntrySchema = def(
  'process',
  Type.Object({
    pid: Pid,
    parentPid: Pid,
    exeFile: Text,
    threadCount: Size,
    basePriority: Priority,
    /** the kernel's short name (comm on Linux) */
    name: orElse(Text, ''),
    /** true when the kernel cut the name (Linux keeps 15 bytes of it); absent otherwise */
    nameTruncated: Type.Optional(Type.Boolean()),
    exePath: orElse(Text, ''),
    cmdline: orElse(
      list(Type.String({ maxLength: SCHEMA_LIMITS.arg }), SCHEMA_LIMITS.cmdlineArgs, {
        description:
          'Snapscope writes at most 1,024 arguments and 32,768 characters; when it cut, the last element is "…(truncated: N more arguments, M more characters)" (N counts the arguments cut or left out)'
      }),
      []
    ),
    user: orElse(Type.String({ maxLength: 256 }), ''),
    uid: orElse(Type.Integer({ minimum: -1, maximum: 0xffffffff }), -1),
    /** ISO-8601 */
    startTime: orElse(Type.String({ maxLength: 40 }), ''),
    workingSetBytes: orElse(Size, 0),
    pageFaultCount: orElse(Size, 0),
    state: orElse(Type.String({ maxLength: 16 }), ''),
    /** resident anonymous memory, where it was read (the target of a capture) */
    privateBytes: Type.Optional({ ...Size, description: 'resident anonymous memory, where it was read' })
  })
)
export type ProcessEntry = Static<typeof ProcessEntrySchema>

export const ThreadEntrySchema = Type.Object({ tid: Pid, ownerPid: Pid, basePriority: Priority, deltaPriority: Priority })
export type ThreadEntry = Static<typeof ThreadEntrySchema>

export const ModuleEntrySchema = Type.Object({
  pid: Pid,
  moduleName: Text,
  exePath: Text,
  baseAddress: Address,
  baseSize: Size,
  /** the file was deleted or replaced after it was loaded */
  deleted: orElse(Type.Boolean(), false)
})
export type ModuleEntry = Static<typeof ModuleEntrySchema>

const HeapKindSchema = def('heapKind', Enum(HEAP_KINDS))

export const HeapListEntrySchema = Type.Object({
  pid: Pid,
  heapId: Short,
  isDefault: Type.Boolean(),
  kind: HeapKindSchema,
  allocator: Short,
  baseAddress: Address,
  size: Size,
  /** false: the allocator can't be walked; `note` says why */
  walkable: Type.Boolean(),
  note: Message
})
export type HeapListEntry = Static<typeof HeapListEntrySchema>

export const SnapshotSchema = def(
  'snapshot',
  Type.Object({
    format: Type.Literal('snapscope.snapshot/1'),
    takenAt: Time,
    host: HostInfoSchema,
    include: list(Enum(INCLUDE_KINDS), INCLUDE_KINDS.length),
    targetPid: Type.Union([Pid, Type.Null()]),
    processes: list(ProcessEntrySchema, SCHEMA_LIMITS.processes),
    threads: list(ThreadEntrySchema, SCHEMA_LIMITS.threads),
    modules: list(ModuleEntrySchema, SCHEMA_LIMITS.modules),
    heapLists: list(HeapListEntrySchema, SCHEMA_LIMITS.heaps),
    errors: Errors
  })
)
export type Snapshot = Static<typeof SnapshotSchema>

/** What the process provider emits on every refresh (System Informer style: only what moved). */
export interface ProcessDelta {
  seq: number
  takenAt: string
  /** true on the first delta after a subscribe: `added` is then the whole list */
  reset: boolean
  added: ProcessEntry[]
  changed: ProcessEntry[]
  removed: number[]
  threadsAdded: ThreadEntry[]
  threadsChanged: ThreadEntry[]
  threadsRemoved: number[]
  errors: SnapshotError[]
  durationMs: number
}

// ---- heap walks ----
export const HeapBlockEntrySchema = Type.Object({ address: Address, blockSize: Size, flags: Enum(BLOCK_FLAGS) })
export type HeapBlockEntry = Static<typeof HeapBlockEntrySchema>

export const HistogramBucketSchema = Type.Object({ minSize: Size, maxSize: Size, count: Size, bytes: Size })
export type HistogramBucket = Static<typeof HistogramBucketSchema>
export const Histogram = def('histogram', list(HistogramBucketSchema, SCHEMA_LIMITS.histogram))

export const HeapSummarySchema = Type.Object({
  blockCount: Size,
  usedBlocks: Size,
  usedBytes: Size,
  freeBlocks: Size,
  freeBytes: Size,
  histogram: Histogram
})
export type HeapSummary = Static<typeof HeapSummarySchema>

export const HeapWalkDocSchema = def(
  'heapwalk',
  Type.Object({
    format: Type.Literal('snapscope.heapwalk/1'),
    pid: Pid,
    heapId: Short,
    kind: HeapKindSchema,
    takenAt: Time,
    /** blocks [offset, offset + blocks.length) in address order */
    offset: Size,
    blocks: list(HeapBlockEntrySchema, SCHEMA_LIMITS.blocks),
    summary: HeapSummarySchema,
    truncated: Type.Boolean(),
    /** the target was stopped for the walk; when false the walk may be torn */
    stopped: Type.Boolean(),
    errors: Errors
  })
)
export type HeapWalkDoc = Static<typeof HeapWalkDocSchema>

export const HeapWalksDocSchema = def(
  'heapwalks',
  Type.Object({
    format: Type.Literal('snapscope.heapwalks/1'),
    pid: Pid,
    takenAt: Time,
    stopped: Type.Boolean(),
    heaps: list(HeapWalkDocSchema, SCHEMA_LIMITS.heaps),
    errors: Errors
  })
)
export type HeapWalksDoc = Static<typeof HeapWalksDocSchema>

export interface HeapProgress {
  scannedBytes: number
  totalBytes: number
  blocks: number
}

// ---- code addresses and their names ----
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Line = Type.Integer({ minimum: 1, maximum: 0xffffffff })

export const InlinedFrameSchema = Type.Object({ function: Text, file: nullable(Text), line: nullable(Line) })
export type InlinedFrame = Static<typeof InlinedFrameSchema>

/** The name of one code address (snapscope.symbols/1, and the names a watch document carries for its pcs). */
export const SymbolEntrySchema = def(
  'symbol',
  Type.Object({
    address: Address,
    /** file name of the module holding it; null: in no module (JIT code, say) */
    module: nullable(Text),
    /** address - the module's base */
    moduleOffset: nullable(Size),
    /** demangled; null when nothing names it (then module+moduleOffset is all there is) */
    function: nullable(Text),
    /** address - the function's start */
    offset: nullable(Size),
    /** source file and line of the address in `function` (where code is inlined there: the line of the outermost call) */
    file: nullable(Text),
    line: nullable(Line),
    /** the frames inlined at the address, innermost first */
    inlined: orElse(list(InlinedFrameSchema, SCHEMA_LIMITS.inlined), []),
    /** where the name came from */
    source: nullable(Enum(SYMBOL_SOURCES)),
    /** true: the named function holds the address; false: a guess (a sizeless label below it), or no function named */
    exact: Type.Boolean()
  })
)
export type SymbolEntry = Static<typeof SymbolEntrySchema>

// ---- working-set watch ----
/** ms, possibly fractional */
const Ms = Type.Number({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

export const FaultEntrySchema = Type.Object({
  pc: Address,
  va: Address,
  tid: Pid,
  /** ms since the watch started */
  t: Ms,
  /** what the fault was attributed to (absent in documents of older versions) */
  module: Type.Optional(Text),
  region: Type.Optional(Enum(REGION_CODES))
})
export type FaultEntry = Static<typeof FaultEntrySchema>

const counted = <K extends string, V extends TSchema>(key: K, value: V) =>
  list(Type.Object({ [key]: value, count: Size } as { [P in K]: V } & { count: typeof Size }), SCHEMA_LIMITS.modules)

export const WatchSummarySchema = Type.Object({
  total: Size,
  byModule: counted('module', Text),
  byRegion: counted('region', Enum(REGION_CODES)),
  byThread: counted('tid', Pid),
  /** top faulting PCs: `symbol` is module+offset (all documents have it); module, function, file … where they were known */
  topPcs: list(
    Type.Object({
      pc: Address,
      symbol: Text,
      count: Size,
      module: Type.Optional(Text),
      moduleOffset: Type.Optional(Size),
      function: Type.Optional(Text),
      offset: Type.Optional(Size),
      /** false: the function is a guess (a sizeless label below the pc) */
      exact: Type.Optional(Type.Boolean()),
      file: Type.Optional(Text),
      line: Type.Optional(Line)
    }),
    SCHEMA_LIMITS.modules
  )
})
export type WatchSummary = Static<typeof WatchSummarySchema>

export const WsWatchDocSchema = def(
  'wswatch',
  Type.Object({
    format: Type.Literal('snapscope.wswatch/1'),
    pid: Pid,
    mechanism: Short,
    startedAt: Time,
    durationMs: Ms,
    /** how the watch ended: "stopped" (time up or asked), "target-exited", "error" */
    endReason: orElse(Message, 'stopped'),
    faults: list(FaultEntrySchema, SCHEMA_LIMITS.faults),
    /** records the OS (or a full buffer) dropped */
    lost: Size,
    /** faults received but not kept in `faults` because the document's record cap was reached */
    omitted: orElse(Size, 0),
    summary: WatchSummarySchema,
    /** the names of the records' distinct pcs, taken while the watch ran (absent in older documents) */
    symbols: Type.Optional(list(SymbolEntrySchema, SCHEMA_LIMITS.symbols))
  })
)
export type WsWatchDoc = Static<typeof WsWatchDocSchema>

// ---- inspector views: process extras, retained heap walks, live watch streams ----

/** Per-process figures beyond the snapshot; each is absent where the OS or backend can't say (see README). */
export interface ProcessExtras {
  pid: number
  /** Linux: RssAnon of /proc/PID/status (resident anonymous memory) */
  privateBytes?: number
  /** Linux: VmHWM (peak resident set) */
  peakWorkingSetBytes?: number
  /** Linux: VmSize */
  virtualBytes?: number
}

/** Which blocks of a retained walk a page or a search covers; absent fields do not filter. */
export interface HeapBlockFilter {
  minSize?: number
  maxSize?: number
  flags?: BlockFlag[]
}

/** The heap as a strip of cells over its blocks (gaps between mappings left out), for the heap map. */
export interface HeapMapCell {
  /** address of the first block in the cell */
  address: string
  /** index of that block in the walk */
  firstBlock: number
  usedBytes: number
  freeBytes: number
}

/** A walk of one heap kept in the main process, so the renderer can page, filter and search it. */
export interface HeapView {
  viewId: number
  pid: number
  heapId: string
  kind: HeapListEntry['kind']
  takenAt: string
  stopped: boolean
  summary: HeapSummary
  map: HeapMapCell[]
  errors: SnapshotError[]
}

export interface HeapBlockRow extends HeapBlockEntry {
  /** position of the block in the whole walk (address order) */
  index: number
}

export interface HeapBlockPage {
  viewId: number
  /** blocks matching the filter, of which this page is [offset, offset + blocks.length) */
  matched: number
  offset: number
  blocks: HeapBlockRow[]
}

/** A mapping at least one fault landed in: the address chart draws one band per region. */
export interface WatchRegion {
  start: string
  end: string
  kind: RegionCode
  /** module or file name, "stack TID", "heap", "anon" */
  label: string
}

/** Faults counted into one time bucket since the previous update; the renderer adds them up. */
export interface WatchBucketDelta {
  /** bucket index: the bucket covers [i * bucketMs, (i + 1) * bucketMs) since the start */
  i: number
  total: number
  lost: number
  /** [moduleId, count, moduleId, count, …] */
  modules: number[]
  /** count per REGION_CODES index */
  regions: number[]
}

/** A uniform sample of faults (at most a few thousand a second), each standing for `weight` faults. */
export interface WatchPoints {
  t: number[]
  /** user-space addresses as numbers: exact below 2^53, and there are thousands of them per update */
  va: number[]
  region: number[]
  weight: number[]
}

/** What the main process sends a renderer about a live watch, at most a few times a second. */
export interface WatchUpdate {
  watchId: number
  pid: number
  running: boolean
  bucketMs: number
  /** ms since the start of the newest moment covered */
  nowMs: number
  total: number
  lost: number
  buckets: WatchBucketDelta[]
  points: WatchPoints
  /** the module names the ids refer to: sent whole when they grew */
  moduleNames?: string[]
  /** every region faulted so far: sent whole when it grew */
  regions?: WatchRegion[]
  /** cumulative, most first; threads and pcs cut to the top */
  byModule: WatchSummary['byModule']
  byThread: WatchSummary['byThread']
  threadCount: number
  topPcs: WatchSummary['topPcs']
}

export interface WatchRecord extends FaultEntry {
  module: string
  /** module+offset, "[kernel]", "[unknown]" */
  symbol: string
  region: RegionCode
  /** the code's name, once the symbol service has it */
  function?: string
  offset?: number
  exact?: boolean
  file?: string
  line?: number
}

/** The raw records of a time window (from the bounded ring of the most recent records) and their summary. */
export interface WatchQueryResult {
  watchId: number
  matched: number
  offset: number
  records: WatchRecord[]
  summary: WatchSummary
  /** t of the oldest record still in the ring: a window starting earlier is incomplete */
  ringStartMs: number
  ringCapacity: number
}
