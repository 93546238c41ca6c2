// Leak suspects as findings (one line each, with the numbers) and as a table: shared by the compare
// report and the timeline section (a timeline compared with itself, first sample to last), whose
// trend table has the same columns.
import type { Change, Suspect } from '../../../../src-common/contract/diffTypes'
import type { Quantity } from '../../../../src-common/contract/diffTypes'
import { columns, type Finding, type Table } from '../../../../src-common/model/report/model'

export function suspectFindings(suspects: readonly Suspect[]): Finding[] {
  if (suspects.length === 0) return [{ tone: 'ok', text: 'No leak suspects: nothing grew by more than noise.' }]
  return suspects.map((s) => ({ tone: s.steady === false ? 'info' : 'warn', text: (s.steady ? 'Grows steadily: ' : '') + s.evidence }))
}

/** One row of a table of growth: a suspect, or a timeline's series. */
export interface GrowthRow {
  subject: string
  unit: Quantity
  change: Change
  perMinute: number | null
  rising: { steps: number; of: number } | null
  /** grows steadily (true), not (false), or not known from two points (null) */
  steady: boolean | null
}

export function growthTable(id: string, title: string, subject: string, rows: readonly GrowthRow[]): Table {
  return {
    id,
    title,
    columns: columns(
      ['subject', subject, 'text'],
      ['a', 'From', 'quantity'],
      ['b', 'To', 'quantity'],
      ['delta', 'Change', 'signedQuantity'],
      ['pct', '%', 'percent'],
      ['perMinute', 'Per minute', 'signedQuantity'],
      ['rising', 'Rising steps', 'text'],
      ['steady', 'Steady', 'flag']
    ),
    rows: rows.map((r) => ({
      subject: r.subject,
      unit: r.unit,
      a: r.change.a,
      b: r.change.b,
      delta: r.change.delta,
      pct: r.change.pct,
      perMinute: r.perMinute === null ? null : Math.round(r.perMinute),
      rising: r.rising ? `${r.rising.steps} of ${r.rising.of}` : null,
      steady: r.steady
    })),
    marked: rows.flatMap((r, i) => (r.steady !== false ? [i] : []))
  }
}

export const suspectTable = (id: string, suspects: readonly Suspect[]): Table => growthTable(`${id}-suspects`, 'Leak suspects', 'What grew', suspects)
