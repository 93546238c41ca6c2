// The Leaks tab of the selected process: a conservative scan with the target stopped, its verdicts as
// a chart, the lost blocks grouped by what they are, the blocks of a group, a block's bytes and who
// points at it. The scan stays in the host as a file of the session: it can be saved, and compared
// with another in Leaks & reports.
import { memo, useContext, useState } from 'react'
import type { LeakGroup } from '../../../src-common/contract/leakTypes'
import { toErrorPayload } from '../../../src-common/contract/errors'
import { fmtBytes, fmtCount } from '../../../src-common/model/format/format'
import type { ConnectedApi } from '../api/connectedApi'
import { DataTable, type Column } from '../common/DataTable'
import { EmptyState, ErrorNotice } from '../common/Notice'
import { offerDownload } from '../files/transfer'
import { LibraryContext } from '../files/useLibrary'
import { LeakBlocks, type BlockListing } from './LeakBlocks'
import { LeakSummary } from './LeakSummary'
import { useLeakScan } from './useLeakScan'
import './leaks.css'

const GROUP_COLUMNS: readonly Column<LeakGroup>[] = [
  { id: 'kind', label: 'Verdict', width: '130px', render: (g) => g.kind },
  { id: 'type', label: 'Type', width: 'minmax(140px, 1fr)', render: (g) => g.type ?? <span className="muted">unknown</span> },
  { id: 'size', label: 'Block size', width: '100px', numeric: true, render: (g) => (g.blockSize === null ? 'various' : fmtBytes(g.blockSize)) },
  { id: 'count', label: 'Blocks', width: '90px', numeric: true, render: (g) => fmtCount(g.count) },
  { id: 'bytes', label: 'Bytes', width: '100px', numeric: true, render: (g) => fmtBytes(g.bytes) },
  { id: 'examples', label: 'Examples', width: 'minmax(160px, 1.5fr)', mono: true, render: (g) => g.examples.slice(0, 3).join(' '), title: (g) => g.examples.join('\n') }
]

const groupListing = (g: LeakGroup): BlockListing => ({
  title: `${g.kind} ${g.type ?? 'of unknown type'}${g.blockSize === null ? '' : ` (${fmtBytes(g.blockSize)})`}`,
  kind: g.kind,
  type: g.type,
  // a type's blocks of several sizes are one group: then any size
  blockSize: g.blockSize ?? undefined
})
const REACHABLE: BlockListing = { title: 'still reachable', kind: 'reachable' }

interface Props {
  api: ConnectedApi
  pid: number
  active: boolean
}

export const LeaksView = memo(function LeaksView({ api, pid }: Props) {
  // Each scan is a file of the window's library too (Leaks & reports): compare two for "lost since A".
  const library = useContext(LibraryContext)
  const { state, scan, cancel } = useLeakScan(api, pid, library?.adopt ?? null)
  const [group, setGroup] = useState<number | null>(null)
  const [listing, setListing] = useState<BlockListing | null>(null)
  const [saveProblem, setSaveProblem] = useState<string | null>(null)
  const start = () => {
    setGroup(null)
    setListing(null)
    scan()
  }
  const save = async (fileId: number) => {
    setSaveProblem(null)
    try {
      offerDownload(await api.invoke('file.save', { fileId }))
    } catch (err) {
      setSaveProblem(toErrorPayload(err).message)
    }
  }
  const doc = state.phase === 'done' ? state.doc : null
  return (
    <section className="leaks-view" aria-label="Leaks" data-testid="leaks-view">
      <div className="toolbar">
        <button type="button" className="primary" data-testid="leak-scan" disabled={state.phase === 'scanning'} onClick={start} title="Stops every thread of the process for the scan, and always resumes it">
          {doc ? 'Scan again' : 'Scan for leaks'}
        </button>
        {state.phase === 'done' && (
          <>
            <span className="muted small" data-testid="leak-stopped" data-stopped-ms={state.doc.stoppedMs}>
              pid {state.doc.pid} stopped for {state.doc.stoppedMs.toFixed(1)} ms · {fmtCount(state.doc.roots.threads)} threads ·{' '}
              {fmtBytes(state.doc.roots.stackBytes + state.doc.roots.staticBytes + state.doc.roots.otherBytes)} of roots
            </span>
            <span className="spacer" />
            <button type="button" data-testid="leak-save" onClick={() => void save(state.file.fileId)}>
              Save scan
            </button>
          </>
        )}
      </div>
      {saveProblem && <p className="warn small">Saving failed: {saveProblem}</p>}
      {state.phase === 'idle' && (
        <EmptyState testId="leak-empty">
          Scan pid {pid} for heap blocks nothing points to any more. The process is stopped during the scan (like a stopped heap walk) and resumed after it.
        </EmptyState>
      )}
      {state.phase === 'scanning' && (
        <div className="walk-progress" data-testid="leak-progress" role="status">
          <span>Scanning pid {pid} for leaks…</span>
          <progress max={1} value={state.progress && state.progress.totalBytes > 0 ? Math.min(1, state.progress.scannedBytes / state.progress.totalBytes) : 0} aria-label="Scan progress" />
          <span className="muted num">
            {state.progress ? `${fmtCount(state.progress.blocks)} blocks · ${fmtBytes(state.progress.scannedBytes)} of ${fmtBytes(state.progress.totalBytes)}` : 'stopping the process'}
          </span>
          <button type="button" data-testid="leak-cancel" onClick={cancel}>
            Stop
          </button>
        </div>
      )}
      {state.phase === 'failed' && <ErrorNotice what={`Scanning pid ${pid} for leaks`} problem={state.problem} testId="leak-error" onRetry={start} />}
      {doc && (
        <>
          {!doc.stopped && <p className="warn small">Not every thread could be stopped: the verdicts may be wrong. Scan again.</p>}
          {doc.errors.length > 0 && (
            <p className="warn small" data-testid="leak-doc-errors">
              {doc.errors.map((e) => e.message).join('; ')}
            </p>
          )}
          <LeakSummary summary={doc.summary} />
          <h4>Lost blocks by type</h4>
          {doc.groups.length === 0 ? (
            <EmptyState testId="leak-none">No lost blocks: every used block is reachable from a register, a stack, static data or another reachable block.</EmptyState>
          ) : (
            <DataTable
              label="Lost blocks by type"
              testId="leak-groups"
              rowTestId="leak-group-row"
              columns={GROUP_COLUMNS}
              count={doc.groups.length}
              rowAt={(i) => doc.groups[i]}
              rowData={(g) => ({ kind: g.kind, type: g.type ?? '', size: g.blockSize ?? '' })}
              selected={group}
              onSelect={(i) => {
                setGroup(i)
                setListing(groupListing(doc.groups[i]))
              }}
            />
          )}
          <div className="toolbar">
            <button type="button" data-testid="leak-show-reachable" onClick={() => (setGroup(null), setListing(REACHABLE))}>
              Show the reachable blocks
            </button>
            <span className="muted small">Select a group, or list the reachable blocks, to see its blocks; select a block for its bytes and what points at it.</span>
          </div>
          {listing && <LeakBlocks api={api} pid={pid} fileId={state.phase === 'done' ? state.file.fileId : 0} listing={listing} />}
        </>
      )}
    </section>
  )
})
