// A report as data: sections of summary cards, findings, charts and tables, built once from a file or
// a compare and then written as HTML (with SVG charts), CSV (one file per table), JSON or text.
// Rows keep raw numbers; each renderer formats them by the column's kind. Pure.

import type { SeriesPoint } from '../capture/trends'
import type { RedactionSummary } from '../../contract/fileTypes'
import type { Quantity } from '../../contract/diffTypes'

export const REPORT_FORMAT = 'snapscope.report/1'

/** quantity and signedQuantity format by the row's own `unit` cell ('bytes' or 'count'): tables of mixed metrics */
export type CellKind = 'text' | 'mono' | 'count' | 'bytes' | 'signedCount' | 'signedBytes' | 'quantity' | 'signedQuantity' | 'percent' | 'time' | 'duration' | 'flag'
export type Cell = string | number | boolean | null

export interface Column {
  key: string
  label: string
  kind: CellKind
}

export interface Table {
  /** also the CSV file's name */
  id: string
  title: string
  columns: Column[]
  rows: Record<string, Cell>[]
  /** rows to mark (a flagged trend, a suspect) */
  marked?: number[]
  note?: string
}

export interface LineChart {
  kind: 'line'
  id: string
  title: string
  unit: Quantity
  series: { label: string; points: SeriesPoint[]; flagged: boolean }[]
}

export interface BarChart {
  kind: 'bars'
  id: string
  title: string
  unit: Quantity
  /** columns: few short categories (size classes); rows: named categories (modules) */
  layout: 'columns' | 'rows'
  categories: string[]
  groups: { label: string; values: number[] }[]
}

export type Chart = LineChart | BarChart

export interface Card {
  label: string
  value: string
  detail?: string
  tone?: 'warn' | 'ok'
}

export interface Finding {
  tone: 'warn' | 'ok' | 'info'
  text: string
}

export interface Section {
  id: string
  title: string
  subtitle?: string
  cards?: Card[]
  findings?: Finding[]
  charts?: Chart[]
  tables?: Table[]
}

export interface ReportModel {
  format: typeof REPORT_FORMAT
  title: string
  subtitle: string
  generatedAt: string
  generator: string
  redacted: boolean
  /** what redaction replaced, when the files say (a redacted report also has a "redaction" table) */
  redaction: RedactionSummary | null
  meta: [string, string][]
  sections: Section[]
}

/** Every table of a report, with its section, in order: the CSV export writes one file each. */
export const allTables = (model: ReportModel): Table[] => model.sections.flatMap((s) => s.tables ?? [])

/** A column list from [key, label, kind] triples: the builders declare many tables. */
export const columns = (...specs: [string, string, CellKind][]): Column[] => specs.map(([key, label, kind]) => ({ key, label, kind }))
