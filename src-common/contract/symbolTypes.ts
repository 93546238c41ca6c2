// The symbols document (snapscope.symbols/1): what `snapscope symbolize` prints, the names of code
// addresses of one process. TypeBox definitions (see types.ts); the entry itself (SymbolEntrySchema)
// is in types.ts, because the watch document carries entries too.
import { Type, type Static } from '@sinclair/typebox'
import { Pid, SCHEMA_LIMITS, SymbolEntrySchema, Time, def } from './types'

export const SYMBOLS_FORMAT = 'snapscope.symbols/1'

export const SymbolsDocSchema = def(
  'symbols',
  Type.Object({
    format: Type.Literal(SYMBOLS_FORMAT),
    pid: Pid,
    /** when the names were read: modules loaded or unloaded later may name other code */
    takenAt: Time,
    /** in the order the addresses were asked */
    symbols: Type.Array(SymbolEntrySchema, { maxItems: SCHEMA_LIMITS.symbols })
  })
)
export type SymbolsDoc = Static<typeof SymbolsDocSchema>
