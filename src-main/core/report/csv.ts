// CSV, one file per table (RFC 4180: CRLF, quotes doubled). Raw values, with the unit in the header,
// so a spreadsheet can compute with them; text that a spreadsheet would run as a formula is defused.
import type { Cell, Column, Table } from '../../../src-common/model/report/model'

const UNIT_SUFFIX: Partial<Record<Column['kind'], string>> = { bytes: ' (bytes)', signedBytes: ' (bytes)', percent: ' (%)', duration: ' (ms)' }

// OWASP's CSV injection rules: a text cell that starts with = + - @ tab or CR is a formula, and so is
// the part after a separator (, ; or tab) for a spreadsheet that splits on another separator than
// ours (a ";" locale reads "a;=1" as two cells, and a;"=1 as a quoted second one). Each gets a ' in
// front, and the cell is quoted.
// Numbers are written as numbers (-5 stays -5 and sums); a text "-5" or "=1+1" (a process name) is text.
const FORMULA_START = /(?:^|(?<=[,;\t]"*))(?=[=+\-@\t\r])/g

function field(value: Cell): string {
  if (value === null || value === undefined) return ''
  const raw = String(value)
  const text = typeof value === 'string' ? raw.replace(FORMULA_START, "'") : raw
  return text !== raw || /[",;\r\n\t]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function tableCsv(table: Table): string {
  // Tables of mixed metrics carry each row's unit: it becomes a column of its own.
  const cols = table.rows.some((r) => 'unit' in r) ? [...table.columns.slice(0, 1), { key: 'unit', label: 'Unit', kind: 'text' as const }, ...table.columns.slice(1)] : table.columns
  const lines = [cols.map((c) => field(c.label + (UNIT_SUFFIX[c.kind] ?? ''))).join(',')]
  for (const row of table.rows) lines.push(cols.map((c) => field(row[c.key] ?? null)).join(','))
  return lines.join('\r\n') + '\r\n'
}
