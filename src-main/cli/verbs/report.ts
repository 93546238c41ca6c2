import { mkdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parseArgs } from 'node:util'
import { compare } from '../../core/diff/diff'
import { readSnapscopeFile } from '../../core/files/loader'
import { redactFile } from '../../core/files/redact'
import { writeFileAtomic } from '../../core/files/snapshotFile'
import { diffReport, fileReport } from '../../core/report/build'
import { REPORT_FORMATS } from '../../ipc/contract'
import { exportReport, type ReportFormat } from '../../core/report/export'
import { UsageError } from '../args'

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
  if (!values.out) throw new UsageError('--out is required')

  const files = await Promise.all(positionals.map((p) => readSnapscopeFile(p)))
  const [a, b] = values.redact ? files.map(redactFile) : files
  const names = positionals.map((p) => basename(p))
  const model = b ? diffReport(compare({ file: a, name: names[0] }, { file: b, name: names[1] }), [a, b]) : fileReport(a, names[0])
  const baseName = basename(values.out).replace(/\.(html|pdf|json|csv)$/i, '')
  const out = await exportReport(model, format, { baseName, table: values.table })
  if (format === 'csv') {
    await mkdir(values.out, { recursive: true })
    for (const f of out) await writeFileAtomic(join(values.out, f.name), f.data)
    process.stderr.write(`wrote ${out.length} CSV file${out.length === 1 ? '' : 's'} to ${values.out}\n`)
  } else await writeFileAtomic(values.out, out[0].data)
}
