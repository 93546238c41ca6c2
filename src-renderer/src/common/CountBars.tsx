// A short ranked list with counts and share bars (top faulting PCs, threads): dense, aligned, and
// readable at a glance without a chart.
import { fmtCount } from '../../../src-common/model/format/format'
import { Name, showControls } from './Name'

export interface CountRow {
  key: string | number
  label: string
  /** shown on hover: a raw address */
  detail?: string
  /** shown muted beside the label: a source line, a module */
  note?: string
  count: number
}

interface CountBarsProps {
  title: string
  rows: readonly CountRow[]
  /** what the shares are of */
  total: number
  testId: string
  empty: string
  unit?: string
}

export function CountBars({ title, rows, total, testId, empty, unit = 'faults' }: CountBarsProps) {
  return (
    <section className="count-bars" aria-label={title} data-testid={testId}>
      <h4>{title}</h4>
      {rows.length === 0 ? (
        <p className="muted small">{empty}</p>
      ) : (
        <table>
          <tbody>
            {rows.map((row) => {
              const share = total > 0 ? row.count / total : 0
              return (
                <tr key={row.key} data-testid={`${testId}-row`} data-label={row.label} data-note={row.note}>
                  <td className="label mono" title={showControls([row.label, row.note, row.detail].filter(Boolean).join('  '))}>
                    {/* names of code and modules come from the inspected process */}
                    <Name>{row.label}</Name>
                    {row.note ? (
                      <span className="muted">
                        {' '}
                        <Name>{row.note}</Name>
                      </span>
                    ) : null}
                  </td>
                  <td className="num" title={`${fmtCount(row.count)} ${unit}`}>
                    {fmtCount(row.count)}
                  </td>
                  <td className="share">
                    <span className="bar" style={{ width: `${Math.max(1, share * 100)}%` }} />
                    <span className="num pct">{(share * 100).toFixed(share < 0.1 ? 1 : 0)}%</span>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </section>
  )
}
