// A report model written in the format asked for, as named files: one for HTML, PDF and JSON, one per
// table for CSV. Hosts decide where they go (the command writes them, the app offers them for download).
import type { REPORT_FORMATS } from '../../../src-common/contract/contract'
import { tableCsv } from './csv'
import { renderHtml } from './html'
import { allTables, type ReportModel } from '../../../src-common/model/report/model'
import { chromiumPrinter, type PdfPrinter } from './pdf'
import { codedError } from '../../../src-common/contract/errors'

export type ReportFormat = (typeof REPORT_FORMATS)[number]

export interface ReportFile {
  name: string
  mime: string
  data: Buffer | string
}

export interface ExportOptions {
  /** file names start with it: "leak" -> leak.html, leak-item0-processes.csv */
  baseName: string
  /** CSV of this one table only (its id) */
  table?: string
  printPdf?: PdfPrinter
}

/** The model as JSON: every table's rows reduced to its columns (and a row's unit, where it has one). */
export function reportJson(model: ReportModel): string {
  const sections = model.sections.map((s) => ({
    ...s,
    tables: s.tables?.map((t) => ({ ...t, rows: t.rows.map((r) => Object.fromEntries([...t.columns.map((c) => c.key), ...('unit' in r ? ['unit'] : [])].map((k) => [k, r[k] ?? null]))) }))
  }))
  return JSON.stringify({ ...model, sections }, null, 2) + '\n'
}

export async function exportReport(model: ReportModel, format: ReportFormat, options: ExportOptions): Promise<ReportFile[]> {
  const base = options.baseName
  switch (format) {
    case 'html':
      return [{ name: `${base}.html`, mime: 'text/html', data: renderHtml(model) }]
    case 'pdf':
      return [{ name: `${base}.pdf`, mime: 'application/pdf', data: await (options.printPdf ?? chromiumPrinter)(renderHtml(model)) }]
    case 'json':
      return [{ name: `${base}.json`, mime: 'application/json', data: reportJson(model) }]
    case 'csv': {
      const tables = allTables(model).filter((t) => options.table === undefined || t.id === options.table)
      if (tables.length === 0)
        throw codedError('ENOENT', options.table ? `no table "${options.table}" in this report (${allTables(model).map((t) => t.id).join(', ')})` : 'this report has no tables')
      return tables.map((t) => ({ name: `${base}-${t.id}.csv`, mime: 'text/csv', data: tableCsv(t) }))
    }
  }
}
