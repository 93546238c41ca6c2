// The memory map document (snapscope.memorymap/1): what `snapscope map` prints and the Memory tab
// shows, VMMap's view of one process: every region of its address space with its resident, private
// and swapped bytes, and the totals by kind (which add up to the kernel's own: /proc/PID/smaps_rollup).
// TypeBox definitions (see types.ts).
import { Type, type Static } from '@sinclair/typebox'
import { Address, Enum, MEMORY_KINDS, Pid, SCHEMA_LIMITS, Size, Text, Time, def } from './types'

export const MEMORY_MAP_FORMAT = 'snapscope.memorymap/1'

const figures = {
  /** Linux: Rss; Windows: its pages in the working set */
  residentBytes: Size,
  /** Linux: Private_Clean + Private_Dirty; Windows: its working-set pages that are not shared */
  privateBytes: Size,
  /** Linux: Swap; Windows: 0 */
  swapBytes: Size
}

export const MemoryRegionSchema = def(
  'memoryRegion',
  Type.Object({
    start: Address,
    end: Address,
    kind: Enum(MEMORY_KINDS),
    /** "rw-p": read, write, execute, p(rivate) or s(hared) */
    perms: Type.String({ maxLength: 8 }),
    /** the backing file or a pseudo-name ("[heap]", "[stack]"), "" when none */
    path: Text,
    sizeBytes: Size,
    ...figures
  })
)
export type MemoryMapRegion = Static<typeof MemoryRegionSchema>

export const MemoryKindTotalSchema = Type.Object({ kind: Enum(MEMORY_KINDS), sizeBytes: Size, ...figures })
export type MemoryKindTotal = Static<typeof MemoryKindTotalSchema>

export const MemoryMapDocSchema = def(
  'memorymap',
  Type.Object({
    format: Type.Literal(MEMORY_MAP_FORMAT),
    pid: Pid,
    takenAt: Time,
    /** in address order */
    regions: Type.Array(MemoryRegionSchema, { maxItems: SCHEMA_LIMITS.regions }),
    /** one per kind, in MEMORY_KINDS order, kinds without regions included */
    totals: Type.Array(MemoryKindTotalSchema, { maxItems: MEMORY_KINDS.length })
  })
)
export type MemoryMapDoc = Static<typeof MemoryMapDocSchema>
