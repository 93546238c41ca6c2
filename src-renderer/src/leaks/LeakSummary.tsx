// The scan's verdicts as a bar chart: bytes per kind (bars share one scale), with the block counts.
import type { LeaksDoc } from '../../../src-common/contract/leakTypes'
import { fmtBytes, fmtCount } from '../../../src-common/model/format/format'

const KINDS = [
  ['definitelyLost', 'definitely-lost', 'Definitely lost', 'nothing points at them'],
  ['indirectlyLost', 'indirectly-lost', 'Indirectly lost', 'only lost blocks point at them'],
  ['possiblyLost', 'possibly-lost', 'Possibly lost', 'only pointers into their middle'],
  ['reachable', 'reachable', 'Still reachable', 'pointed at from a root or a reachable block']
] as const

export function LeakSummary({ summary }: { summary: LeaksDoc['summary'] }) {
  const most = Math.max(1, ...KINDS.map(([key]) => summary[key].bytes))
  return (
    <figure className="leak-summary" data-testid="leak-summary" aria-label="Blocks by verdict">
      {KINDS.map(([key, kind, label, meaning]) => {
        const t = summary[key]
        return (
          <div key={kind} className={`leak-bar-row leak-${kind}`} data-testid="leak-summary-row" data-kind={kind} data-blocks={t.blocks} data-bytes={t.bytes} title={meaning}>
            <span className="leak-bar-label">{label}</span>
            <span className="leak-bar-track">
              <span className="leak-bar" style={{ width: `${t.bytes > 0 ? Math.max(1, (t.bytes / most) * 100) : 0}%` }} />
            </span>
            <span className="num">{fmtBytes(t.bytes)}</span>
            <span className="num muted">{fmtCount(t.blocks)} blocks</span>
          </div>
        )
      })}
    </figure>
  )
}
