// The selected process's threads. Virtualized too: some processes run thousands of threads.
import type { ThreadEntry } from '../../../src-main/ipc/contract'
import { VirtualList } from '../common/VirtualList'
import { formatCount } from '../processes/format'

const ROW_HEIGHT = 22

export function ThreadTable({ threads, exited }: { threads: readonly ThreadEntry[]; exited: boolean }) {
  if (threads.length === 0)
    return (
      <p className="empty" data-testid="threads-empty">
        {exited ? 'No threads: the process has exited.' : 'No threads reported for this process yet; they appear on the next refresh.'}
      </p>
    )
  return (
    <>
      <h3>Threads ({formatCount(threads.length)})</h3>
      <VirtualList
        className="thread-grid"
        role="grid"
        aria-label="Threads"
        aria-rowcount={threads.length}
        data-testid="thread-table"
        count={threads.length}
        rowHeight={ROW_HEIGHT}
        headerHeight={ROW_HEIGHT}
        header={
          <div role="row" className="thread-header">
            <div role="columnheader" className="cell num">TID</div>
            <div role="columnheader" className="cell num">Base priority</div>
            <div role="columnheader" className="cell num">Delta priority</div>
          </div>
        }
        renderRow={(index, style) => {
          const thread = threads[index]
          return (
            <div role="row" key={thread.tid} className="thread-row" style={style} data-testid="thread-row" data-tid={thread.tid}>
              <div role="gridcell" className="cell num">{thread.tid}</div>
              <div role="gridcell" className="cell num">{thread.basePriority}</div>
              <div role="gridcell" className="cell num">{thread.deltaPriority}</div>
            </div>
          )
        }}
      />
    </>
  )
}
