// The Snapscope file (snapscope.file/1): what support engineers save on one machine and read on
// another. On disk it is gzip of this JSON document; every item is one of the documents the app and
// the command already produce, recognised by its own `format`. TypeBox definitions (see types.ts),
// free of Node imports; resources/snapscope-file.schema.json is generated from them.
import { Type, type Static } from '@sinclair/typebox'
import { HeapWalkDocSchema, HeapWalksDocSchema, HostInfoSchema, SCHEMA_LIMITS, SnapshotSchema, Time, WsWatchDocSchema, def } from './types'
import { LeaksDocSchema } from './leakTypes'
import { TimelineDocSchema } from './timelineTypes'
import { SymbolsDocSchema } from './symbolTypes'
import { AllocsDocSchema } from './allocTypes'
import { MemoryMapDocSchema } from './memoryMapTypes'
import { described } from './validate'

export const FILE_FORMAT = 'snapscope.file/1'
export const FILE_EXTENSION = '.snapscope'

/** Every document a file may hold (and that may stand alone as plain JSON), by its `format`. */
export const ITEM_DEFINITIONS = {
  'snapscope.snapshot/1': SnapshotSchema,
  'snapscope.heapwalks/1': HeapWalksDocSchema,
  'snapscope.heapwalk/1': HeapWalkDocSchema,
  'snapscope.wswatch/1': WsWatchDocSchema,
  'snapscope.leaks/1': LeaksDocSchema,
  'snapscope.timeline/1': TimelineDocSchema,
  'snapscope.symbols/1': SymbolsDocSchema,
  'snapscope.allocs/1': AllocsDocSchema,
  'snapscope.memorymap/1': MemoryMapDocSchema
} as const

export const FileItemSchema = def('item', described(Type.Union(Object.values(ITEM_DEFINITIONS)), 'a document Snapscope reads'))
export type FileItem = Static<typeof FileItemSchema>

const count = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description })

/** Replacements made by redaction, by kind. */
export const RedactionSummarySchema = Type.Object(
  {
    /** distinct user names replaced by user1, user2 … */
    users: count('distinct user names replaced by user1, user2 …'),
    /** distinct host names replaced by "host" */
    hosts: count('distinct host names replaced by "host"'),
    /** directories taken off paths, each time */
    paths: count('directories taken off paths'),
    /** secret values replaced by [redacted], each time */
    secrets: count('secret values replaced by [redacted]')
  },
  { description: 'what the redaction replaced (absent in files redacted by older versions)' }
)
export type RedactionSummary = Static<typeof RedactionSummarySchema>

export const SnapscopeFileSchema = def(
  'file',
  Type.Object({
    format: Type.Literal(FILE_FORMAT),
    createdAt: Time,
    /** "snapscope 0.1.0": which program wrote it */
    generator: Type.String({ maxLength: 256, description: 'the program that wrote it, e.g. "snapscope 0.1.0"' }),
    host: HostInfoSchema,
    /** user names, host name, directories and secrets were replaced before saving */
    redacted: Type.Boolean({ default: false, description: 'user names, host names, directories and secrets were replaced' }),
    /** what the redaction replaced (files redacted by older versions don't say) */
    redaction: Type.Optional(RedactionSummarySchema),
    items: Type.Array(FileItemSchema, { maxItems: SCHEMA_LIMITS.items })
  })
)
export type SnapscopeFile = Static<typeof SnapscopeFileSchema>
