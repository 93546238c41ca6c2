// Top faulting PCs and per-thread counts: of the whole watch, or of the selected window.
import { CountBars } from '../common/CountBars'
import { ErrorNotice } from '../common/Notice'
import type { WatchSummary } from '../../../src-common/contract/contract'
import type { WindowSummary } from './useWindowSummary'
import { pcRow } from './pcRow'

interface WatchSideProps {
  /** cumulative, from the live updates */
  whole: { total: number; topPcs: WatchSummary['topPcs']; byThread: WatchSummary['byThread']; threadCount: number }
  selection: WindowSummary | null
}

const SHOWN = 12

export function WatchSide({ whole, selection }: WatchSideProps) {
  if (selection?.problem) return <ErrorNotice what="Summarising the selection" problem={selection.problem} />
  const summary = selection?.result?.summary
  const scope = selection ? 'selection' : 'whole watch'
  const total = summary ? summary.total : whole.total
  const topPcs = (summary?.topPcs ?? whole.topPcs).slice(0, SHOWN)
  const threads = summary?.byThread ?? whole.byThread
  const threadCount = summary ? summary.byThread.length : whole.threadCount
  return (
    <aside className="watch-side" aria-label="Top faulting code and threads">
      <CountBars
        title={`Top faulting PCs (${scope})`}
        testId="top-pcs"
        total={total}
        empty={selection && !summary ? 'Reading…' : 'No faults with a pc yet.'}
        rows={topPcs.map(pcRow)}
      />
      <CountBars
        title={`Threads (${scope}${threadCount > SHOWN ? `, top ${SHOWN} of ${threadCount}` : ''})`}
        testId="thread-faults"
        total={total}
        empty={selection && !summary ? 'Reading…' : 'No faults yet.'}
        rows={threads.slice(0, SHOWN).map((t) => ({ key: t.tid, label: `tid ${t.tid}`, count: t.count }))}
      />
    </aside>
  )
}
