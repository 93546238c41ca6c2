// A process's command line as Snapscope writes it: cut, with a marker, well inside the schema's limits,
// so that any local process (10,000 arguments, or one of a megabyte) cannot make a capture that
// does not open. Pure: snapshots of every kind use it.
import { fmtCount as fmt } from '../../../src-common/model/format/format'

/** A command line as written keeps at most these (then a marker): Windows' own limit is 32,767
 *  characters; Linux allows ~2 MiB, and a process may rewrite its arguments to anything. */
export const CMDLINE_LIMITS = { args: 1_024, chars: 32_768 } as const

/** The marker that ends a command line that was cut. */
export const cutMarker = (args: number, chars: number): string => `…(truncated: ${fmt(args)} more argument${args === 1 ? '' : 's'}, ${fmt(chars)} more characters)`

/** The arguments that fit CMDLINE_LIMITS (the last one kept may be cut), then the marker when any were cut. */
export function fitCmdline(args: readonly string[]): string[] {
  const total = args.reduce((n, a) => n + a.length, 0)
  if (args.length <= CMDLINE_LIMITS.args && total <= CMDLINE_LIMITS.chars) return [...args]
  const kept: string[] = []
  let chars = 0
  for (const arg of args) {
    if (kept.length === CMDLINE_LIMITS.args - 1 || chars >= CMDLINE_LIMITS.chars) break
    const piece = arg.slice(0, CMDLINE_LIMITS.chars - chars)
    kept.push(piece)
    chars += piece.length
  }
  const cutArg = kept.length > 0 && kept[kept.length - 1].length < args[kept.length - 1].length ? 1 : 0
  return [...kept, cutMarker(args.length - kept.length + cutArg, total - chars)]
}

