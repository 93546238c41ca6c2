// The structural check of everything a file may hold, in the style of the IPC validators: each schema
// returns the value typed or throws ContractError naming the path ("items[2].processes[5].pid: expected
// an integer"). Unlike IPC messages, unknown fields are ignored rather than refused (a newer Snapscope
// may add some) and never copied: what comes out holds only known fields, checked, of bounded size.
// Only known fields are walked, so the nesting a hostile file can make the loader descend is the
// schema's own. resources/snapscope-file.schema.json describes the same shapes for other tools.

import type { HeapWalkDoc, HeapWalksDoc, HostInfo, Snapshot, SnapshotError, WsWatchDoc } from '../../../src-common/contract/types'
import { INCLUDE_KINDS } from '../../../src-common/contract/types'
import { ContractError, arrayOf, bool, int, nullable, oneOf, optional, str, type Infer, type Schema } from '../../../src-common/contract/validate'
import { TIMELINE_FORMAT, type HeapTotals, type TimelineDoc } from '../../../src-common/contract/timelineTypes'
import { FILE_FORMAT, type FileItem, type SnapscopeFile } from '../../../src-common/contract/fileTypes'

/** Bounds on what one file may declare: far above real machines, low enough to refuse a file built to exhaust memory. */
export const SCHEMA_LIMITS = {
  items: 1_000,
  processes: 1_000_000,
  threads: 4_000_000,
  modules: 200_000,
  heaps: 100_000,
  blocks: 20_000_000,
  faults: 20_000_000,
  samples: 1_000_000,
  errors: 1_000_000,
  histogram: 256,
  cmdlineArgs: 8_192,
  text: 4_096,
  arg: 131_072,
  message: 8_192
} as const

type OptionalKeys<S> = { [K in keyof S]: undefined extends Infer<S[K]> ? K : never }[keyof S]
type FieldsOf<S> = { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }

const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)
const at = (path: string, key: string): string => (path ? `${path}.${key}` : key)

function expectObject(v: unknown, path: string): asserts v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ContractError(`${path || 'document'}: expected an object, got ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`)
}

/** An object with at least these fields; others are dropped unread. */
export const fields =
  <S extends Record<string, Schema<unknown>>>(shape: S): Schema<FieldsOf<S>> =>
  (v, path) => {
    expectObject(v, path)
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(shape)) {
      const value = shape[key](own(v, key) ? v[key] : undefined, at(path, key))
      if (value !== undefined) out[key] = value
    }
    return out as FieldsOf<S>
  }

/** A field older writers or other platforms may leave out (the data contract's optional extras). */
export const withDefault =
  <T>(inner: Schema<T>, fallback: T): Schema<T> =>
  (v, path) =>
    v === undefined ? fallback : inner(v, path)

export const num =
  (min: number, max: number): Schema<number> =>
  (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ContractError(`${path}: expected a number, got ${typeof v}`)
    if (v < min || v > max) throw new ContractError(`${path}: ${v} is out of range ${min}..${max}`)
    return v
  }

/** An ISO-8601 time that Date.parse understands: elapsed times and trends are computed from it. */
export const isoTime: Schema<string> = (v, path) => {
  const s = str(40)(v, path)
  if (Number.isNaN(Date.parse(s))) throw new ContractError(`${path}: expected an ISO-8601 time, got "${s.slice(0, 40)}"`)
  return s
}

export const address: Schema<string> = (v, path) => {
  const s = str(18)(v, path)
  if (!/^0x[0-9a-fA-F]{1,16}$/.test(s)) throw new ContractError(`${path}: expected an address "0x…", got "${s}"`)
  return s.toLowerCase()
}

const pid = int(0, 0x7fffffff)
const size = int(0, Number.MAX_SAFE_INTEGER)
const priority = int(-1_000, 1_000)
const text = str(SCHEMA_LIMITS.text)
const message = str(SCHEMA_LIMITS.message)

export const hostSchema: Schema<HostInfo> = fields({ os: str(64), hostname: str(256), arch: str(64), backend: str(64) })

const errorSchema: Schema<SnapshotError> = fields({ pid, scope: str(64), code: str(64), message })
const errors = arrayOf(errorSchema, SCHEMA_LIMITS.errors)

const histogram = arrayOf(fields({ minSize: size, maxSize: size, count: size, bytes: size }), SCHEMA_LIMITS.histogram)

const heapKind = oneOf(['main-arena', 'thread-arena', 'mmapped', 'region', 'nt-heap'] as const)

export const snapshotSchema: Schema<Snapshot> = fields({
  format: oneOf(['snapscope.snapshot/1'] as const),
  takenAt: isoTime,
  host: hostSchema,
  include: arrayOf(oneOf(INCLUDE_KINDS), INCLUDE_KINDS.length),
  targetPid: nullable(pid),
  processes: arrayOf(
    fields({
      pid,
      parentPid: pid,
      exeFile: text,
      threadCount: size,
      basePriority: priority,
      name: withDefault(text, ''),
      nameTruncated: optional(bool),
      exePath: withDefault(text, ''),
      cmdline: withDefault(arrayOf(str(SCHEMA_LIMITS.arg), SCHEMA_LIMITS.cmdlineArgs), []),
      user: withDefault(str(256), ''),
      uid: withDefault(int(-1, 0xffffffff), -1),
      startTime: withDefault(str(40), ''),
      workingSetBytes: withDefault(size, 0),
      pageFaultCount: withDefault(size, 0),
      state: withDefault(str(16), ''),
      privateBytes: optional(size)
    }),
    SCHEMA_LIMITS.processes
  ),
  threads: arrayOf(fields({ tid: pid, ownerPid: pid, basePriority: priority, deltaPriority: priority }), SCHEMA_LIMITS.threads),
  modules: arrayOf(
    fields({ pid, moduleName: text, exePath: text, baseAddress: address, baseSize: size, deleted: withDefault(bool, false) }),
    SCHEMA_LIMITS.modules
  ),
  heapLists: arrayOf(
    fields({
      pid,
      heapId: str(64),
      isDefault: bool,
      kind: heapKind,
      allocator: str(64),
      baseAddress: address,
      size,
      walkable: bool,
      note: message
    }),
    SCHEMA_LIMITS.heaps
  ),
  errors
})

const heapSummary = fields({ blockCount: size, usedBlocks: size, usedBytes: size, freeBlocks: size, freeBytes: size, histogram })

export const heapWalkSchema: Schema<HeapWalkDoc> = fields({
  format: oneOf(['snapscope.heapwalk/1'] as const),
  pid,
  heapId: str(64),
  kind: heapKind,
  takenAt: isoTime,
  offset: size,
  blocks: arrayOf(
    fields({ address, blockSize: size, flags: oneOf(['fixed', 'free', 'moveable'] as const) }),
    SCHEMA_LIMITS.blocks
  ),
  summary: heapSummary,
  truncated: bool,
  stopped: bool,
  errors
})

export const heapWalksSchema: Schema<HeapWalksDoc> = fields({
  format: oneOf(['snapscope.heapwalks/1'] as const),
  pid,
  takenAt: isoTime,
  stopped: bool,
  heaps: arrayOf(heapWalkSchema, SCHEMA_LIMITS.heaps),
  errors
})

const counted = <K extends string, V>(key: K, value: Schema<V>) =>
  arrayOf(fields({ [key]: value, count: size } as { [P in K]: Schema<V> } & { count: Schema<number> }), SCHEMA_LIMITS.modules)

export const wsWatchSchema: Schema<WsWatchDoc> = fields({
  format: oneOf(['snapscope.wswatch/1'] as const),
  pid,
  mechanism: str(64),
  startedAt: isoTime,
  durationMs: num(0, Number.MAX_SAFE_INTEGER),
  endReason: withDefault(message, 'stopped'),
  faults: arrayOf(
    fields({
      pc: address,
      va: address,
      tid: pid,
      t: num(0, Number.MAX_SAFE_INTEGER),
      module: optional(text),
      region: optional(oneOf(['image', 'heap', 'stack', 'anon', 'other', 'unknown'] as const))
    }),
    SCHEMA_LIMITS.faults
  ),
  lost: size,
  omitted: withDefault(size, 0),
  summary: fields({
    total: size,
    byModule: counted('module', text),
    byRegion: counted('region', oneOf(['image', 'heap', 'stack', 'anon', 'other', 'unknown'] as const)),
    byThread: counted('tid', pid),
    topPcs: arrayOf(fields({ pc: address, symbol: text, count: size }), SCHEMA_LIMITS.modules)
  })
})

const heapTotals: Schema<HeapTotals> = fields({
  heapCount: size,
  usedBlocks: size,
  usedBytes: size,
  freeBlocks: size,
  freeBytes: size,
  histogram
})

const timelineFields = fields({
  format: oneOf([TIMELINE_FORMAT] as const),
  pid,
  exeFile: text,
  host: hostSchema,
  startedAt: isoTime,
  everyMs: int(1, 86_400_000),
  thinned: withDefault(int(0, 64), 0),
  endReason: message,
  samples: arrayOf(
    fields({
      takenAt: isoTime,
      workingSetBytes: size,
      privateBytes: nullable(size),
      threadCount: size,
      moduleCount: size,
      heap: nullable(heapTotals)
    }),
    SCHEMA_LIMITS.samples
  ),
  modules: arrayOf(fields({ moduleName: text, exePath: text, firstSample: size, lastSample: size }), SCHEMA_LIMITS.modules),
  errors
})

/** A module's samples must be samples of the timeline: the views index them. */
export const timelineSchema: Schema<TimelineDoc> = (v, path) => {
  const doc = timelineFields(v, path)
  doc.modules.forEach((m, i) => {
    if (m.firstSample > m.lastSample || m.lastSample >= doc.samples.length)
      throw new ContractError(`${at(path, 'modules')}[${i}]: samples ${m.firstSample}..${m.lastSample} are not among the ${doc.samples.length} samples`)
  })
  return doc
}

/** Every document a file may hold (and that may stand alone as plain JSON), by its `format`. */
export const ITEM_SCHEMAS: Record<FileItem['format'], Schema<FileItem>> = {
  'snapscope.snapshot/1': snapshotSchema,
  'snapscope.heapwalks/1': heapWalksSchema,
  'snapscope.heapwalk/1': heapWalkSchema,
  'snapscope.wswatch/1': wsWatchSchema,
  [TIMELINE_FORMAT]: timelineSchema
}

export const isItemFormat = (format: unknown): format is FileItem['format'] =>
  typeof format === 'string' && own(ITEM_SCHEMAS, format)

/** Reads the `format` of whatever sits at path, for dispatch; says what it got when there is none. */
export function formatAt(v: unknown, path: string): string {
  expectObject(v, path)
  const format = own(v, 'format') ? v.format : undefined
  if (typeof format !== 'string') throw new ContractError(`${at(path, 'format')}: missing (not a Snapscope document)`)
  return format.slice(0, 64)
}

export const itemSchema: Schema<FileItem> = (v, path) => {
  const format = formatAt(v, path)
  if (!isItemFormat(format))
    throw new ContractError(`${at(path, 'format')}: "${format}" is not a document Snapscope reads (${Object.keys(ITEM_SCHEMAS).join(', ')})`)
  return ITEM_SCHEMAS[format](v, path)
}

export const fileSchema: Schema<SnapscopeFile> = fields({
  format: oneOf([FILE_FORMAT] as const),
  createdAt: isoTime,
  generator: str(256),
  host: hostSchema,
  redacted: withDefault(bool, false),
  redaction: optional(fields({ users: size, hosts: size, paths: size, secrets: size })),
  items: arrayOf(itemSchema, SCHEMA_LIMITS.items)
})
