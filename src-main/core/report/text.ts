// The report as plain text for a terminal (`snapscope diff` prints it): findings and cards in full,
// tables as aligned columns cut to their first rows.
import { showControls } from '../../../src-common/model/report/bidi'
import { formatCell, isNumeric } from './cells'
import type { ReportModel, Table } from '../../../src-common/model/report/model'

const MAX_ROWS = 12
const MAX_CELL = 48

const cut = (s: string): string => (s.length > MAX_CELL ? s.slice(0, MAX_CELL - 1) + '…' : s)
const MARK = { warn: '!', ok: '✓', info: '·' } as const

function table(t: Table): string[] {
  if (t.rows.length === 0) return []
  const shown = t.rows.slice(0, MAX_ROWS)
  const cells = [t.columns.map((c) => c.label), ...shown.map((row) => t.columns.map((c) => cut(formatCell(row[c.key] ?? null, c, row))))]
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => r[i].length)))
  const lines = cells.map((r) => '    ' + r.map((v, i) => (isNumeric(t.columns[i]) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd())
  const more = t.rows.length > MAX_ROWS ? [`    … ${t.rows.length - MAX_ROWS} more (--json, or a report, has them all)`] : []
  return [`  ${t.title}`, ...lines, ...more, '']
}

export function renderText(model: ReportModel, options: { skipTables?: string[] } = {}): string {
  const out = [model.title, ...model.meta.map(([k, v]) => `  ${k.padEnd(8)} ${v}`), '']
  for (const s of model.sections) {
    out.push(`== ${s.title}${s.subtitle ? ` (${s.subtitle})` : ''}`)
    if (s.cards?.length) out.push('  ' + s.cards.map((c) => `${c.label}: ${c.value}${c.detail ? ` (${c.detail})` : ''}`).join(' · '), '')
    for (const f of s.findings ?? []) out.push(`  ${MARK[f.tone]} ${f.text}`)
    if (s.findings?.length) out.push('')
    for (const t of s.tables ?? []) if (!options.skipTables?.includes(t.id)) out.push(...table(t))
  }
  // A terminal may apply bidi too: names show their controls as escapes here as well.
  return showControls(out.join('\n')).replace(/\n+$/, '\n')
}
