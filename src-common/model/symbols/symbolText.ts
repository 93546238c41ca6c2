// Code addresses as Snapscope shows them, in the window, the CLI and the reports alike:
// "malloc+0x2a  malloc.c:3287" with the module beside it, "libfoo.so+0x1234" when no function is
// known (a symbol never lies: an inexact nearest symbol is not shown as the function). Pure.
import type { SymbolEntry, WatchSummary } from '../../contract/types'

/** What any of the documents may know of a code address: a symbol entry, a top pc, a watch record. */
export interface CodeName {
  module?: string | null
  moduleOffset?: number | null
  function?: string | null
  offset?: number | null
  /** false with a function: a guess */
  exact?: boolean
  file?: string | null
  line?: number | null
  /** module+offset text of documents written before names (the top pcs' `symbol`) */
  symbol?: string
}

const hexOffset = (n: number): string => `0x${n.toString(16)}`

/** "function+0x2a", "function" at its first byte, "label+0x4?" for a guess; "module+0xoff" without a function; the old `symbol` text, else "". */
export function codeText(c: CodeName): string {
  if (c.function) return (c.offset ? `${c.function}+${hexOffset(c.offset)}` : c.function) + (c.exact === false ? '?' : '')
  if (c.module && c.moduleOffset !== undefined && c.moduleOffset !== null) return `${c.module}+${hexOffset(c.moduleOffset)}`
  return c.symbol ?? ''
}

/** "file.c:123" (the file's base name: the full path is in the document), "file.c", or "". */
export function fileLineText(c: CodeName): string {
  if (!c.file) return ''
  const base = c.file.slice(Math.max(c.file.lastIndexOf('/'), c.file.lastIndexOf('\\')) + 1)
  return c.line ? `${base}:${c.line}` : base
}

/** "function+0x2a  file.c:123": the code and, where known, its source line. */
export function symbolText(c: CodeName): string {
  const where = fileLineText(c)
  const code = codeText(c)
  return where ? `${code}  ${where}` : code
}

/** What a list shows beside codeText: "file.c:123 · libc.so.6" (the module unless the code text is module+offset already). */
export function besideText(c: CodeName): string {
  const module = c.function && c.module ? c.module : ''
  return [fileLineText(c), module].filter(Boolean).join(' · ')
}

/** The name fields of a top pc (or a record) from a symbol entry: only what is known, so older readers see what they always saw. */
export function nameFields(s: SymbolEntry): Partial<Pick<WatchSummary['topPcs'][number], 'module' | 'moduleOffset' | 'function' | 'offset' | 'exact' | 'file' | 'line'>> {
  const out: ReturnType<typeof nameFields> = {}
  if (s.module !== null) out.module = s.module
  if (s.moduleOffset !== null) out.moduleOffset = s.moduleOffset
  if (s.function !== null) {
    out.function = s.function
    out.exact = s.exact
  }
  if (s.offset !== null) out.offset = s.offset
  if (s.file !== null) out.file = s.file
  if (s.line !== null) out.line = s.line
  return out
}
