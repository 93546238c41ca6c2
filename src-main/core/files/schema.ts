// The structural check of everything a file may hold: the contract's TypeBox definitions
// (src-common/contract/types.ts, timelineTypes.ts, fileTypes.ts) compiled under the LENIENT policy.
// Each check returns the value typed or throws ContractError naming the path ("items[2].processes[5].pid:
// expected an integer"). Unlike IPC messages, unknown fields are ignored rather than refused (a newer
// Snapscope may add some) and never copied: what comes out holds only known fields, checked, of
// bounded size. Only known fields are walked, so the nesting a hostile file can make the loader
// descend is the schema's own. resources/snapscope-file.schema.json is generated from the same
// definitions (npm run gen:schema).

import { ContractError, LENIENT, compile, type Check } from '../../../src-common/contract/validate'
import type { TimelineDoc } from '../../../src-common/contract/timelineTypes'
import { FileItemSchema, ITEM_DEFINITIONS, SnapscopeFileSchema, type FileItem, type SnapscopeFile } from '../../../src-common/contract/fileTypes'

export { SCHEMA_LIMITS } from '../../../src-common/contract/types'

const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)
const at = (path: string, key: string): string => (path ? `${path}.${key}` : key)

/** A module's samples must be samples of the timeline: the views index them (beyond what a JSON Schema says). */
function checkTimeline(doc: TimelineDoc, path: string): void {
  doc.modules.forEach((m, i) => {
    if (m.firstSample > m.lastSample || m.lastSample >= doc.samples.length)
      throw new ContractError(`${at(path, 'modules')}[${i}]: samples ${m.firstSample}..${m.lastSample} are not among the ${doc.samples.length} samples`)
  })
}
const checkItem = (item: FileItem, path: string): void => {
  if (item.format === 'snapscope.timeline/1') checkTimeline(item, path)
}

const items = compile(FileItemSchema, LENIENT)
const file = compile(SnapscopeFileSchema, LENIENT)

export const itemSchema: Check<FileItem> = (v, path) => {
  const item = items(v, path)
  checkItem(item, path)
  return item
}

export const fileSchema: Check<SnapscopeFile> = (v, path) => {
  const doc = file(v, path)
  doc.items.forEach((item, i) => checkItem(item, `${at(path, 'items')}[${i}]`))
  return doc
}

/** The formats a file may hold (and that may stand alone as plain JSON). */
export const ITEM_FORMATS = Object.keys(ITEM_DEFINITIONS) as FileItem['format'][]

export const isItemFormat = (format: unknown): format is FileItem['format'] => typeof format === 'string' && own(ITEM_DEFINITIONS, format)

/** Reads the `format` of whatever sits at path, for dispatch; says what it got when there is none. */
export function formatAt(v: unknown, path: string): string {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ContractError(`${path || 'document'}: expected an object, got ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`)
  const format = own(v, 'format') ? (v as { format?: unknown }).format : undefined
  if (typeof format !== 'string') throw new ContractError(`${at(path, 'format')}: missing (not a Snapscope document)`)
  return format.slice(0, 64)
}
