// The JSON Schema of the file format, made from the contract's TypeBox definitions (the ones the
// loader compiles): resources/snapscope-file.schema.json is this, written by `npm run gen:schema`,
// and gen-schema.test.ts fails when the checked-in one differs.
import { Kind, OptionalKind, type TSchema } from '@sinclair/typebox'
import { SCHEMA_LIMITS, definitionOf } from '../src-common/contract/types'
import { FILE_FORMAT, FileItemSchema, SnapscopeFileSchema } from '../src-common/contract/fileTypes'
import { DEFAULT_LIMITS } from '../src-main/core/files/loader'

type Json = Record<string | symbol, unknown>
const fmt = (n: number): string => n.toLocaleString('en-US')

/** `node` as JSON Schema: named schemas (other than `root` itself) become $refs, keeping what a use adds (a default, a description). */
function toJson(node: TSchema, root?: TSchema): Json {
  const definition = definitionOf(node)
  if (definition && node !== root) {
    const target = definition.schema as unknown as Json
    const ref: Json = { $ref: `#/$defs/${definition.name}` }
    for (const [key, value] of Object.entries(node)) if (JSON.stringify(value) !== JSON.stringify(target[key])) ref[key] = value
    return ref
  }
  const n = node as unknown as Json
  if (n[Kind] === 'Union' && (n.anyOf as Json[]).every((o) => o[Kind] === 'Literal')) {
    const { anyOf, ...rest } = n
    return { ...rest, enum: (anyOf as Json[]).map((o) => o.const) }
  }
  // `type` first: the file reads the way JSON Schemas are usually written
  const out: Json = 'type' in n ? { type: n.type } : {}
  for (const [key, value] of Object.entries(n)) {
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, TSchema>).map(([k, v]) => [k, toJson(v)]))
      // A field with a default may be left out: readers take the default (as the loader does).
      const required = Object.entries(value as Record<string, Json>).filter(([, v]) => v[OptionalKind] !== 'Optional' && !('default' in v))
      if (required.length > 0) out.required = required.map(([k]) => k)
    } else if (key === 'required') continue
    else if (key === 'items') out.items = toJson(value as TSchema)
    else if (key === 'anyOf') out.anyOf = (value as TSchema[]).map((v) => toJson(v))
    else out[key] = value
  }
  return out
}

export function fileJsonSchema(): Json {
  const defs: Json = {}
  // Every definition the file reaches, in the order they are met, each written once.
  const reach = (node: unknown): void => {
    if (!node || typeof node !== 'object') return
    const definition = definitionOf(node)
    if (definition && !(definition.name in defs)) {
      defs[definition.name] = null // taken before its fields are walked, so a use inside it stays a $ref
      defs[definition.name] = toJson(definition.schema, definition.schema)
    }
    for (const value of Object.values(node)) reach(value)
  }
  reach(SnapscopeFileSchema)
  reach(FileItemSchema)
  const l = DEFAULT_LIMITS
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://snapscope.dev/schema/snapscope-file-1.json',
    title: `Snapscope file (${FILE_FORMAT})`,
    description:
      'A .snapscope file is gzip of this JSON document. Each item is one of the documents Snapscope writes, recognised by its own `format`; ' +
      'each of them may also stand alone as plain JSON (what `snapscope snapshot`, `heap` and `watch` print). Readers ignore fields they do not know, ' +
      'and take the default of a field left out. Addresses are hex strings "0x…" (readers lowercase them), sizes and counts are integers, ' +
      'times ISO-8601 (fault times: ms since the watch started). ' +
      `Limits the loader enforces: ${fmt(l.maxFileBytes >> 20)} MiB compressed, ${fmt(l.maxJsonBytes >> 20)} MiB of JSON, nesting ${l.maxDepth}, ` +
      `${fmt(l.maxArrayItems)} elements in one array, ${fmt(l.maxMembers)} fields in one object, ${fmt(l.maxElements)} values and ` +
      `${fmt(l.maxContainers)} objects and arrays in all (counted before parsing), strings of ${SCHEMA_LIMITS.text} characters ` +
      `(command-line arguments ${SCHEMA_LIMITS.arg}, messages ${SCHEMA_LIMITS.message}), and the maxLength and maxItems below. ` +
      'Snapscope checks every file against these limits before it writes it. Generated from the TypeBox definitions in src-common/contract (npm run gen:schema).',
    oneOf: [{ $ref: '#/$defs/file' }, { $ref: '#/$defs/item' }],
    $defs: defs
  }
}

export const fileJsonSchemaText = (): string => `${JSON.stringify(fileJsonSchema(), null, 2)}\n`
