// CSV, one file per table (RFC 4180: CRLF, quotes doubled). Raw values, with the unit in the header,
// so a spreadsheet can compute with them; text that a spreadsheet would run as a formula is defused.
import type { Cell, Column, Table } from './model'

const UNIT_SUFFIX: Partial<Record<Column['kind'], string>> = { bytes: ' (bytes)', signedBytes: ' (bytes)', percent: ' (%)', duration: ' (ms)' }

function field(value: Cell): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function tableCsv(table: Table): string {
  // Tables of mixed metrics carry each row's unit: it becomes a column of its own.
  const cols = table.rows.some((r) => 'unit' in r) ? [...table.columns.slice(0, 1), { key: 'unit', label: 'Unit', kind: 'text' as const }, ...table.columns.slice(1)] : table.columns
  const lines = [cols.map((c) => field(c.label + (UNIT_SUFFIX[c.kind] ?? ''))).join(',')]
  for (const row of table.rows) lines.push(cols.map((c) => field(row[c.key] ?? null)).join(','))
  return lines.join('\r\n') + '\r\n'
}
