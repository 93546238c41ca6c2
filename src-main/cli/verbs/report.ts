import { basename, join } from 'node:path'
import { parseArgs } from 'node:util'
import { compare } from '../../../src-common/model/diff/diff'
import { readSnapscopeFile } from '../../core/files/loader'
import { redactFile } from '../../core/files/redact'
import { OutputFile, prepareFolder } from '../../core/files/safeWrite'
import { diffReport, fileReport } from '../../core/report/build'
import { REPORT_FORMATS } from '../../../src-common/contract/contract'
import { exportReport, type ReportFile, type ReportFormat } from '../../core/report/export'
import { UsageError } from '../args'
import { say } from '../terminal'

export const usage = `report FILE [B] --format html|csv|json|pdf --out PATH [--redact] [--table ID]
      a report of FILE, or of the compare of FILE and B: HTML with its charts (opens offline),
      PDF (printed by Chromium), JSON, or CSV (PATH is then a folder: one file per table);
      --redact replaces user names, host names, directories and secrets (passwords, tokens, keys)`

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string' }, out: { type: 'string' }, redact: { type: 'boolean' }, table: { type: 'string' } }
  })
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError(`report takes one file (or two to compare), got ${positionals.length}`)
  const format = values.format as ReportFormat
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`)
  const out = values.out
  if (!out) throw new UsageError('--out is required')

  const render = async (): Promise<ReportFile[]> => {
    const files = await Promise.all(positionals.map((p) => readSnapscopeFile(p)))
    const [a, b] = values.redact ? files.map(redactFile) : files
    const names = positionals.map((p) => basename(p))
    const model = b ? diffReport(compare({ file: a, name: names[0] }, { file: b, name: names[1] }), [a, b]) : fileReport(a, names[0])
    const baseName = basename(out).replace(/\.(html|pdf|json|csv)$/i, '')
    return exportReport(model, format, { baseName, table: values.table })
  }
  // Where the report goes is checked before it is made (a PDF takes a while to print).
  if (format !== 'csv') return OutputFile.using(out, async (file) => file.save((await render())[0].data))
  const folder = await prepareFolder(out)
  const tables = await render()
  for (const t of tables) await OutputFile.using(join(folder, t.name), (file) => file.save(t.data))
  say(`wrote ${tables.length} CSV file${tables.length === 1 ? '' : 's'} to ${out}`)
}
