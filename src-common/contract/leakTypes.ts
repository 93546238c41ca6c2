// The leak scan's document (snapscope.leaks/1): which used heap blocks of a live process nothing
// points to any more, with memcheck's verdicts, grouped by what they are. TypeBox definitions (see
// types.ts), free of Node imports.
import { Type, type Static } from '@sinclair/typebox'
import { Address, Enum, Errors, Pid, SCHEMA_LIMITS, Size, Text, Time, def } from './types'

/** In the addon's order: a block's kind code indexes this list (native LeakKind). */
export const LEAK_KINDS = ['definitely-lost', 'indirectly-lost', 'possibly-lost', 'reachable'] as const
export type LeakKind = (typeof LEAK_KINDS)[number]
/** The kinds a group can have: lost ones only. */
export const LOST_KINDS = ['definitely-lost', 'indirectly-lost', 'possibly-lost'] as const

const Totals = def('leakTotals', Type.Object({ blocks: Size, bytes: Size }))
/** A C++ class ("Widget", "shapes::Circle"), "string", or null where unknown. */
const BlockType = Type.Union([Text, Type.Null()])

export const LeakRootsSchema = Type.Object({
  /** threads whose registers and stack were scanned */
  threads: Size,
  /** register words scanned */
  registers: Size,
  /** thread stacks from the stack pointer (less the red zone) to the mapping's end, TLS of threads included */
  stackBytes: Size,
  /** writable image data: .data, .bss, GOT */
  staticBytes: Size,
  /** other writable mappings that are not the heaps scanned (anonymous rw, the main thread's TLS) */
  otherBytes: Size
})

export const LeakGroupSchema = def(
  'leakGroup',
  Type.Object({
    kind: Enum(LOST_KINDS),
    type: BlockType,
    /** the exact size of the group's blocks; null when they differ (a type with blocks of several sizes) */
    blockSize: Type.Union([Size, Type.Null()]),
    count: Size,
    bytes: Size,
    /** a few block addresses */
    examples: Type.Array(Address, { maxItems: 16 })
  })
)
export type LeakGroup = Static<typeof LeakGroupSchema>

export const LeakBlockSchema = Type.Object({ address: Address, blockSize: Size, kind: Enum(LEAK_KINDS), type: BlockType })
export type LeakBlock = Static<typeof LeakBlockSchema>

export const LeaksDocSchema = def(
  'leaks',
  Type.Object({
    format: Type.Literal('snapscope.leaks/1'),
    pid: Pid,
    takenAt: Time,
    /** every thread was stopped for the scan; when false it may be wrong */
    stopped: Type.Boolean(),
    /** how long the target was stopped, ms */
    stoppedMs: Type.Number({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    roots: LeakRootsSchema,
    summary: Type.Object({ definitelyLost: Totals, indirectlyLost: Totals, possiblyLost: Totals, reachable: Totals }),
    /** lost blocks by kind and type (by exact size where no type), largest bytes first */
    groups: Type.Array(LeakGroupSchema, { maxItems: SCHEMA_LIMITS.blocks }),
    /** every used block, in address order (only when asked for: `leaks --blocks`) */
    blocks: Type.Optional(Type.Array(LeakBlockSchema, { maxItems: SCHEMA_LIMITS.blocks })),
    errors: Errors
  })
)
export type LeaksDoc = Static<typeof LeaksDocSchema>

/** One word pointing at (or into) a block: "who points at this block". */
export interface LeakReferrer {
  /** the block pointed at (its start) */
  target: string
  /** the word's address; null for a register */
  from: string | null
  /** the block holding the word; null for a root */
  fromBlock: string | null
  source: 'register' | 'stack' | 'static' | 'other' | 'block'
  /** it points inside the block, not at its start */
  interior: boolean
}

/** A page of the blocks of a leak scan that match a filter (leaks.blocks). */
export interface LeakBlockPage {
  /** blocks matching the filter */
  total: number
  offset: number
  blocks: LeakBlock[]
}

/** A block's first bytes (leaks.preview), as `xxd` prints them. */
export interface LeakPreview {
  address: string
  /** bytes read: fewer than asked where readable memory ends */
  length: number
  text: string
}
