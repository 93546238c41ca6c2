// The blocks of a scan that match a filter (a group, all reachable ones, those lost since an earlier
// scan), a page at a time from the host; and a selected block's first bytes and who points at it.
import { useCallback, useEffect, useState } from 'react'
import type { LeakBlock, LeakKind, LeakPreview, LeakReferrer } from '../../../src-common/contract/leakTypes'
import { MAX_PREVIEW_BYTES } from '../../../src-common/contract/contract'
import { toErrorPayload } from '../../../src-common/contract/errors'
import { fmtCount } from '../../../src-common/model/format/format'
import type { ConnectedApi } from '../api/connectedApi'
import { DataTable, type Column } from '../common/DataTable'
import { ErrorNotice } from '../common/Notice'
import type { Problem } from '../common/problems'
import { usePagedRows } from '../common/usePagedRows'

export interface BlockListing {
  /** what the list is, for people: "definitely-lost Widget (40 B)" */
  title: string
  kind: LeakKind
  /** null: of no known type; undefined: any */
  type?: string | null
  blockSize?: number
  /** only blocks that this scan (an item of an open file) did not have */
  since?: { fileId: number; item: number }
}

const COLUMNS: readonly Column<LeakBlock>[] = [
  { id: 'address', label: 'Address', width: '150px', mono: true, render: (b) => b.address },
  { id: 'size', label: 'Size (bytes)', width: '110px', numeric: true, render: (b) => fmtCount(b.blockSize) },
  { id: 'kind', label: 'Verdict', width: '130px', render: (b) => b.kind },
  { id: 'type', label: 'Type', width: 'minmax(120px, 1fr)', render: (b) => b.type ?? <span className="muted">unknown</span> }
]

const listingKey = (l: BlockListing) => `${l.kind}|${l.type === undefined ? '*' : String(l.type)}|${l.blockSize ?? '*'}|${l.since ? `${l.since.fileId}/${l.since.item}` : ''}`

interface Props {
  api: ConnectedApi
  pid: number
  fileId: number
  listing: BlockListing
}

export function LeakBlocks({ api, pid, fileId, listing }: Props) {
  const key = `${fileId}|${listingKey(listing)}`
  const fetchPage = useCallback(
    (offset: number, limit: number) =>
      api
        .invoke('leaks.blocks', { fileId, item: 0, kind: listing.kind, type: listing.type, blockSize: listing.blockSize, since: listing.since, offset, limit })
        .then((p) => ({ rows: p.blocks, matched: p.total })),
    [api, key]
  )
  const blocks = usePagedRows<LeakBlock>(key, fetchPage)
  const [selected, setSelected] = useState<number | null>(null)
  useEffect(() => setSelected(null), [key])
  if (blocks.problem) return <ErrorNotice what="Reading the blocks of the scan" problem={blocks.problem} testId="leak-blocks-error" />
  const block = selected === null ? undefined : blocks.rowAt(selected)
  return (
    <div className="leak-blocks">
      <p className="muted small" data-testid="leak-block-count" data-count={blocks.total ?? ''}>
        {blocks.total === null ? 'Reading blocks…' : `${listing.title}: ${fmtCount(blocks.total)} blocks`}
      </p>
      <DataTable
        label={`Blocks: ${listing.title}`}
        testId="leak-block-table"
        rowTestId="leak-block-row"
        columns={COLUMNS}
        count={blocks.total ?? 0}
        rowAt={blocks.rowAt}
        rowKey={(b) => b.address}
        rowData={(b) => ({ address: b.address, kind: b.kind, type: b.type ?? '' })}
        onWindow={blocks.onWindow}
        selected={selected}
        onSelect={setSelected}
      />
      {block && <BlockDetail key={block.address} api={api} pid={pid} block={block} />}
    </div>
  )
}

type Ask<T> = { phase: 'idle' } | { phase: 'asking' } | { phase: 'done'; value: T } | { phase: 'failed'; problem: Problem }

function useAsk<T>(ask: () => Promise<T>): [Ask<T>, () => void] {
  const [state, setState] = useState<Ask<T>>({ phase: 'idle' })
  const run = useCallback(() => {
    setState({ phase: 'asking' })
    ask().then(
      (value) => setState({ phase: 'done', value }),
      (err: unknown) => setState({ phase: 'failed', problem: toErrorPayload(err) })
    )
  }, [ask])
  return [state, run]
}

/** A block's first bytes (read when selected: they are the live process's, not the scan's) and its referrers on request. */
function BlockDetail({ api, pid, block }: { api: ConnectedApi; pid: number; block: LeakBlock }) {
  const readPreview = useCallback(
    (): Promise<LeakPreview> => api.invoke('leaks.preview', { pid, address: block.address, length: Math.min(Math.max(1, block.blockSize), MAX_PREVIEW_BYTES) }),
    [api, pid, block]
  )
  const readReferrers = useCallback((): Promise<LeakReferrer[]> => api.invoke('leaks.referrers', { pid, address: block.address }).then((r) => r.referrers), [api, pid, block])
  const [preview, askPreview] = useAsk(readPreview)
  const [referrers, askReferrers] = useAsk(readReferrers)
  useEffect(askPreview, [askPreview])
  return (
    <section className="leak-block-detail" aria-label={`Block ${block.address}`} data-testid="leak-block-detail" data-address={block.address}>
      <h4>
        Block <span className="mono">{block.address}</span> · {fmtCount(block.blockSize)} B · {block.kind}
        {block.type ? ` · ${block.type}` : ''}
      </h4>
      {preview.phase === 'failed' && <ErrorNotice what={`Reading block ${block.address}`} problem={preview.problem} testId="leak-preview-error" onRetry={askPreview} />}
      {preview.phase === 'done' && (
        <pre className="leak-preview mono" data-testid="leak-preview" data-length={preview.value.length}>
          {preview.value.text}
        </pre>
      )}
      <div className="toolbar">
        <button type="button" data-testid="leak-referrers-ask" disabled={referrers.phase === 'asking'} onClick={askReferrers} title="Stops the process for a scan of its roots and blocks (and resumes it)">
          Who points at this block?
        </button>
        {referrers.phase === 'asking' && <span className="muted small">Scanning…</span>}
      </div>
      {referrers.phase === 'failed' && <ErrorNotice what={`Finding what points at ${block.address}`} problem={referrers.problem} testId="leak-referrers-error" onRetry={askReferrers} />}
      {referrers.phase === 'done' && <Referrers referrers={referrers.value} />}
    </section>
  )
}

const SOURCE_LABEL: Record<LeakReferrer['source'], string> = {
  register: 'a register',
  stack: 'a thread stack',
  static: 'static data',
  other: 'another writable mapping',
  block: 'block'
}

function Referrers({ referrers }: { referrers: LeakReferrer[] }) {
  if (referrers.length === 0)
    return (
      <p className="muted small" data-testid="leak-referrers-none">
        Nothing points at it now: no register, stack, static data or block holds its address.
      </p>
    )
  return (
    <ul className="leak-referrers" data-testid="leak-referrers">
      {referrers.map((r, i) => (
        <li key={i} data-testid="leak-referrer" data-source={r.source}>
          {r.source === 'block' ? (
            <>
              block <span className="mono">{r.fromBlock}</span>
            </>
          ) : (
            SOURCE_LABEL[r.source]
          )}
          {r.from && (
            <>
              {' '}
              at <span className="mono">{r.from}</span>
            </>
          )}
          {r.interior && <span className="warn small"> (into its middle)</span>}
        </li>
      ))}
    </ul>
  )
}
