import { parseArgs } from 'node:util'
import { basename } from 'node:path'
import { compare } from '../../../src-common/model/diff/diff'
import { readSnapscopeFile } from '../../core/files/loader'
import { redactFile } from '../../core/files/redact'
import { diffReport } from '../../core/report/build'
import { renderText } from '../../core/report/text'
import { UsageError } from '../args'
import { withOutput, writeOutput } from '../output'
import { escapeStrings } from '../terminal'

export const usage = `diff A B [--json] [--redact] [--out FILE]
      compare two snapshots, heap walks or timelines (files or the JSON of snapshot/heap/watch):
      leak suspects, processes, threads, modules, heap size classes; a timeline is its first sample
      as A and its last as B (diff T T spans one capture); --json: snapscope.diff/1`

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, redact: { type: 'boolean' }, out: { type: 'string' } }
  })
  if (positionals.length !== 2) throw new UsageError(`diff takes two files, got ${positionals.length}`)
  await withOutput(values.out, async (out) => {
    const [a, b] = await Promise.all(positionals.map((p) => readSnapscopeFile(p)))
    const [fa, fb] = values.redact ? [redactFile(a), redactFile(b)] : [a, b]
    const diff = compare({ file: fa, name: basename(positionals[0]) }, { file: fb, name: basename(positionals[1]) })
    if (values.json) return writeOutput(diff, out)
    // The suspects' table repeats the findings above it: the terminal gets the findings only. Names
    // from the machine are escaped for the terminal (or a text file shown on one).
    const text = renderText(escapeStrings(diffReport(diff, [fa, fb])), { skipTables: ['diff-suspects'] })
    if (out) await out.save(text)
    else process.stdout.write(text)
  })
}
