// A plain table for the short lists of these views (the top rows of a report's table; exports have
// all of them): aligned numbers, marked rows, and a line saying how many more there are.
import type { ReactNode } from 'react'
import { fmtCount } from '../../../src-common/model/format/format'

export interface Col<R> {
  label: string
  numeric?: boolean
  mono?: boolean
  value(row: R): ReactNode
}

interface SimpleTableProps<R> {
  caption: string
  rows: readonly R[]
  cols: readonly Col<R>[]
  testId: string
  marked?(row: R): boolean
  /** rows shown at most */
  max?: number
}

export function SimpleTable<R>({ caption, rows, cols, testId, marked, max = 50 }: SimpleTableProps<R>) {
  if (rows.length === 0) return null
  const cls = (c: Col<R>) => [c.numeric && 'num', c.mono && 'mono'].filter(Boolean).join(' ') || undefined
  return (
    <div className="wb-table" data-testid={testId}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c.label} className={cls(c)}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, max).map((r, i) => (
            <tr key={i} className={marked?.(r) ? 'marked' : undefined} data-testid={`${testId}-row`}>
              {cols.map((c) => (
                <td key={c.label} className={cls(c)}>
                  {c.value(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > max && <p className="muted">… and {fmtCount(rows.length - max)} more (the CSV export has them all)</p>}
    </div>
  )
}
