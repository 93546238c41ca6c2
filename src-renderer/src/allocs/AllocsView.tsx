// The Allocations tab: trace the selected process's allocator live (uprobes: no restart), its live
// bytes and allocation rate charted as it runs, then read its call stacks as a call tree (top-down or bottom-up) and a flame graph, by leaked bytes,
// allocations or bytes, searched by function, module or file. A finished trace can be saved as pprof.
import { memo, useDeferredValue, useMemo, useState } from 'react'
import type { AllocStack } from '../../../src-common/contract/allocTypes'
import { ALLOC_METRICS, METRIC_LABELS, buildCallTree, heaviestPath, searchStacks, type AllocMetric, type CallNode, type TreeDirection } from '../../../src-common/model/allocs/callTree'
import { chainText, siteText } from '../../../src-common/model/allocs/stackText'
import { formatDuration } from '../../../src-common/model/capture/duration'
import { fmtBytes, fmtCount } from '../../../src-common/model/format/format'
import { EmptyState, ErrorNotice } from '../common/Notice'
import { CallTreeTable } from './CallTreeTable'
import { FlameGraph } from './FlameGraph'
import { LiveChart } from './LiveChart'
import { PPROF_HINT } from './PprofButton'
import type { AllocsController } from './useAllocsController'

interface AllocsViewProps {
  pid: number
  allocs: AllocsController
  active: boolean
}

const STATUS: Record<string, string> = { starting: 'Attaching…', stopping: 'Stopping…', running: 'Tracing', ended: 'Stopped', failed: 'Failed' }
const PICKED_STACKS = 20

export const AllocsView = memo(function AllocsView({ pid, allocs }: AllocsViewProps) {
  const [direction, setDirection] = useState<TreeDirection>('top-down')
  const [metric, setMetric] = useState<AllocMetric>('leakedBytes')
  const [search, setSearch] = useState('')
  const query = useDeferredValue(search.trim().toLowerCase())
  const [expanded, setExpanded] = useState<ReadonlySet<string> | null>(null)
  const [picked, setPicked] = useState<CallNode | null>(null)

  const mine = allocs.pid === pid
  const live = mine && (allocs.phase === 'running' || allocs.phase === 'stopping') ? allocs.live : null
  const finished = allocs.finished.get(pid)
  const stacks: readonly AllocStack[] = live ? live.stacks : (finished?.doc.stacks ?? [])
  const hits = useMemo(() => (query ? searchStacks(stacks, query) : undefined), [stacks, query, allocs.version])
  const root = useMemo(() => buildCallTree(stacks, direction, metric, hits), [stacks, direction, metric, hits, allocs.version])
  // A tree opens along its heaviest path until the user opens or closes a node.
  const open = expanded ?? new Set(heaviestPath(root, 64))
  const toggle = (id: string) => {
    const next = new Set(open)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setExpanded(next)
  }
  const busy = allocs.phase === 'starting' || allocs.phase === 'running' || allocs.phase === 'stopping'
  const other = allocs.pid !== null && !mine && busy

  const toolbar = (
    <div className="toolbar allocs-toolbar" data-testid="allocs-toolbar">
      {mine && allocs.phase === 'running' ? (
        <button type="button" className="primary" data-testid="allocs-stop" onClick={allocs.stop}>
          Stop
        </button>
      ) : (
        <button type="button" className="primary" data-testid="allocs-start" disabled={busy && mine} onClick={() => allocs.start(pid)}>
          {other ? `Trace pid ${pid} instead` : finished ? 'Trace again' : 'Start trace'}
        </button>
      )}
      <span className="watch-status" data-testid="allocs-status" data-phase={mine ? allocs.phase : 'idle'}>
        {mine && STATUS[allocs.phase]} {allocs.pid !== null && busy && `pid ${allocs.pid}`}
        {mine && allocs.mechanism && <span className="muted"> · {allocs.mechanism}</span>}
        {!live && finished && (
          <span className="muted">
            {' '}
            · {formatDuration(finished.doc.durationMs)} · ended: {finished.endReason}
          </span>
        )}
      </span>
      <Totals allocs={allocs} pid={pid} />
      <span className="spacer" />
      {!live && finished && (
        <button type="button" data-testid="allocs-pprof" disabled={finished.fileId === null} onClick={() => allocs.savePprof(finished)} title={PPROF_HINT}>
          Save pprof
        </button>
      )}
    </div>
  )

  if (!live && !finished) {
    return (
      <section className="allocs-view" aria-label="Allocations" data-testid="allocs-view">
        {toolbar}
        {mine && allocs.problem ? (
          <ErrorNotice what={`Tracing the allocations of pid ${pid}`} problem={allocs.problem} testId="allocs-error" onRetry={() => allocs.start(pid)} />
        ) : (
          <EmptyState testId="allocs-empty">
            {mine && allocs.phase === 'starting'
              ? `Attaching to pid ${pid}'s allocator…`
              : `Start a trace to see which code of pid ${pid} allocates, and what it leaves live: every malloc, calloc, realloc and free with its call stack, from now on, without restarting it.`}
          </EmptyState>
        )}
      </section>
    )
  }

  const pickedStacks = picked ? picked.stacks.map((i) => stacks[i]).filter(Boolean).sort((a, b) => value(b, metric) - value(a, metric)).slice(0, PICKED_STACKS) : []
  return (
    <section className="allocs-view" aria-label="Allocations" data-testid="allocs-view" data-stacks={stacks.length}>
      {toolbar}
      {allocs.problem && mine && <ErrorNotice what="The allocation trace" problem={allocs.problem} />}
      <div className="toolbar allocs-controls">
        <span className="segmented" role="group" aria-label="Tree">
          {(['top-down', 'bottom-up'] as const).map((d) => (
            <button
              key={d}
              type="button"
              aria-pressed={direction === d}
              data-testid={`allocs-${d}`}
              onClick={() => {
                setDirection(d)
                setExpanded(null)
                setPicked(null)
              }}
            >
              {d === 'top-down' ? 'Top-down' : 'Bottom-up'}
            </button>
          ))}
        </span>
        <label className="field-inline">
          By
          <select value={metric} onChange={(e) => setMetric(e.target.value as AllocMetric)} data-testid="allocs-metric">
            {ALLOC_METRICS.map((m) => (
              <option key={m} value={m}>
                {live && m.startsWith('leaked') ? METRIC_LABELS[m].replace('Leaked', 'Live') : METRIC_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          className="filter"
          placeholder="Search functions, modules, files"
          aria-label="Search the stacks"
          data-testid="allocs-search"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value)
            setExpanded(null)
          }}
        />
        {hits && (
          <span className="match-count" data-testid="allocs-matches">
            {fmtCount(hits.size)} of {fmtCount(stacks.length)} stacks
          </span>
        )}
        {live && (
          <span className="muted small">
            live: the {fmtCount(stacks.length)} stacks with the most live bytes of {fmtCount(live.stackCount)}
          </span>
        )}
        {!live && finished?.doc.omittedStacks ? (
          <span className="muted small" data-testid="allocs-omitted">
            {fmtCount(finished.doc.omittedStacks)} stacks that leaked less are not shown (the totals count them; a save or report keeps those the trace kept)
          </span>
        ) : null}
      </div>
      <div className="allocs-body">
        <div className="allocs-main">
          {mine && allocs.live && allocs.live.history.length > 1 && <LiveChart history={allocs.live.history} version={allocs.version} />}
          <FlameGraph root={root} metric={metric} query={query} picked={picked?.id ?? null} onPick={setPicked} />
          <CallTreeTable root={root} metric={metric} expanded={open} onToggle={toggle} picked={picked?.id ?? null} onPick={setPicked} />
        </div>
        <aside className="watch-side allocs-side" data-testid="allocs-side">
          {picked ? (
            <>
              <h4>Stacks through {siteText([picked.frame!])}</h4>
              <StackList stacks={pickedStacks} />
            </>
          ) : (
            <p className="muted small">Pick a frame in the flame graph or the tree to see its stacks.</p>
          )}
        </aside>
      </div>
    </section>
  )
})

const value = (s: AllocStack, m: AllocMetric): number => (m === 'leakedBytes' ? s.leaked.bytes : m === 'leakedBlocks' ? s.leaked.blocks : s[m])

function Totals({ allocs, pid }: { allocs: AllocsController; pid: number }) {
  const live = allocs.pid === pid && allocs.live && (allocs.phase === 'running' || allocs.phase === 'stopping') ? allocs.live : null
  const doc = live ? null : allocs.finished.get(pid)?.doc
  if (!live && !doc) return null
  const t = live
    ? { allocations: live.totals.allocations, temporary: live.totals.temporary, blocks: live.totals.liveBlocks, bytes: live.totals.liveBytes, peak: live.totals.peakBytes }
    : { allocations: doc!.totals.allocations, temporary: doc!.totals.temporary, blocks: doc!.totals.leakedBlocks, bytes: doc!.totals.leakedBytes, peak: doc!.totals.peakBytes }
  const lost = live ? live.lost : doc!.lost
  return (
    <span className="stats" data-testid="allocs-totals" data-allocations={t.allocations} data-leaked-bytes={t.bytes}>
      <span className="stat">
        <span className="muted">Allocations</span> {fmtCount(t.allocations)}
      </span>
      <span className="stat">
        <span className="muted">Temporary</span> {fmtCount(t.temporary)}
      </span>
      <span className="stat" title={live ? 'allocated during the trace and live now' : 'allocated during the trace and live at its end'}>
        <span className="muted">{live ? 'Live' : 'Leaked'}</span> {fmtBytes(t.bytes)} <span className="muted">in {fmtCount(t.blocks)}</span>
      </span>
      <span className="stat">
        <span className="muted">Peak</span> {fmtBytes(t.peak)}
      </span>
      <span className={lost > 0 ? 'stat lost warn' : 'stat lost'} data-testid="allocs-lost" data-lost={lost} title="Events the kernel dropped: the counts miss them">
        <span className="muted">Lost</span> {fmtCount(lost)}
      </span>
    </span>
  )
}

/** Stacks with their numbers and call chains. */
export function StackList({ stacks }: { stacks: readonly AllocStack[] }) {
  return (
    <ol className="stack-list" data-testid="stack-list">
      {stacks.map((s, i) => (
        <li key={i} data-testid="stack-item">
          <div>
            <strong>{siteText(s.frames)}</strong>
          </div>
          <div className="muted small">
            {fmtCount(s.allocations)} allocations · {fmtBytes(s.bytes)} · {fmtCount(s.temporary)} temporary · leaked {fmtBytes(s.leaked.bytes)} in {fmtCount(s.leaked.blocks)}
          </div>
          <div className="mono small">{chainText(s.frames, 12)}</div>
        </li>
      ))}
    </ol>
  )
}
