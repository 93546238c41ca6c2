// Compare any two open files, or items of them, side by side: the leak suspects with their numbers,
// the target's figures, heap size classes A against B, the allocation stacks that leaked more,
// processes started and exited, thread and module changes. The same compare exports as a report.
import { useEffect, useState } from 'react'
import type { DiffDoc, OpenedFile } from '../../../src-common/contract/contract'
import { targetMetrics } from '../../../src-common/model/diff/diff'
import { exactSizesText } from '../../../src-common/model/diff/suspects'
import { itemKind } from '../../../src-common/model/diff/observation'
import type { Change, ProcessBrief, Suspect } from '../../../src-common/contract/diffTypes'
import type { LeakGroup } from '../../../src-common/contract/leakTypes'
import { fmtBytes, fmtCount, fmtPercent, fmtQuantity, fmtSigned, fmtTime } from '../../../src-common/model/format/format'
import type { Quantity } from '../../../src-common/contract/diffTypes'
import { formatDuration } from '../../../src-common/model/capture/duration'
import { sizeClassLabel } from '../../../src-common/model/capture/series'
import { chainText, siteText } from '../../../src-common/model/allocs/stackText'
import type { ConnectedApi } from '../api/connectedApi'
import { showControls } from '../common/Name'
import { ExportBar, type ItemRef } from '../files/ExportBar'
import { SimpleTable, type Col } from '../files/SimpleTable'
import { SizeClassBars } from '../files/SizeClassBars'
import type { Library } from '../files/useLibrary'
import { toErrorPayload } from '../../../src-common/contract/errors'

const encode = (r: ItemRef) => `${r.fileId}:${r.item ?? ''}`
const decode = (v: string): ItemRef => {
  const [fileId, item] = v.split(':')
  return item === '' ? { fileId: Number(fileId) } : { fileId: Number(fileId), item: Number(item) }
}

/** The whole file, and each of its items when it has more than one (an <option> holds no isolate: controls shown). */
const choices = (files: readonly OpenedFile[]) =>
  files.flatMap((f) => [
    { value: encode({ fileId: f.fileId }), label: showControls(`${f.name} — ${f.items.map(itemKind).join(' + ')}`) },
    ...(f.items.length > 1 ? f.items.map((it, i) => ({ value: encode({ fileId: f.fileId, item: i }), label: showControls(`${f.name} #${i} ${itemKind(it)}`) })) : [])
  ])

function Picker({ label, value, options, onChange, testId }: { label: string; value: string; options: { value: string; label: string }[]; onChange(v: string): void; testId: string }) {
  return (
    <label className="wb-pick">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  )
}

type Metric = ReturnType<typeof targetMetrics>[number]
const processCols: Col<ProcessBrief>[] = [
  { label: 'PID', numeric: true, value: (p) => p.pid },
  { label: 'Executable', value: (p) => p.exeFile },
  { label: 'Working set', numeric: true, value: (p) => fmtBytes(p.workingSetBytes) }
]

/** A, B and the change of one figure of each row, in the row's unit. */
const changeCols = <R,>(label: string, unit: (r: R) => Quantity, get: (r: R) => Change) => [
  { label: label ? `${label} A` : 'A', numeric: true, value: (r: R) => fmtQuantity(get(r).a, unit(r)) },
  { label: label ? `${label} B` : 'B', numeric: true, value: (r: R) => fmtQuantity(get(r).b, unit(r)) },
  { label: label ? `${label} change` : 'Change', numeric: true, value: (r: R) => fmtSigned(get(r).delta, unit(r)) }
]

const LOST_SINCE_ID = 'diff-lost-since'
const groupLabel = (g: LeakGroup) => `${g.type ?? 'unknown type'}${g.blockSize === null ? '' : `, ${fmtBytes(g.blockSize)}`}`

/** A size class that grew, and the lost blocks of that class in B's leak scan: the proof, where there is one. */
function SuspectLost({ lost, since }: { lost: NonNullable<Suspect['lost']>; since: boolean }) {
  return (
    <div className="small" data-testid="suspect-lost" data-blocks={lost.blocks}>
      {lost.blocks === 0 ? (
        `B's leak scan finds no lost block of this size class${since ? ' that A did not have' : ''}: the growth is still referenced.`
      ) : (
        <>
          B's leak scan: {fmtCount(lost.blocks)} lost blocks of this size class{since ? ' that A did not have' : ''} ({fmtBytes(lost.bytes)}):{' '}
          {lost.groups.slice(0, 4).map((g) => `${fmtCount(g.count)} ${g.kind} ${groupLabel(g)}`).join('; ')}
          {since && (
            <>
              {' '}
              — <a href={`#${LOST_SINCE_ID}`}>lost since A</a>
            </>
          )}
        </>
      )}
    </div>
  )
}

function LostSince({ lostSince }: { lostSince: NonNullable<DiffDoc['lostSince']> }) {
  const t = lostSince.totals
  return (
    <section id={LOST_SINCE_ID} data-testid="lost-since" data-blocks={t.definitelyLost.blocks + t.indirectlyLost.blocks + t.possiblyLost.blocks}>
      <h3>Lost since A (pid {lostSince.pid})</h3>
      {lostSince.groups.length === 0 ? (
        <p className="wb-ok">No block is lost in B that A did not have.</p>
      ) : (
        <>
          <p className="muted small">
            Definitely lost {fmtCount(t.definitelyLost.blocks)} blocks ({fmtBytes(t.definitelyLost.bytes)}) · indirectly {fmtCount(t.indirectlyLost.blocks)} ({fmtBytes(t.indirectlyLost.bytes)}) · possibly{' '}
            {fmtCount(t.possiblyLost.blocks)} ({fmtBytes(t.possiblyLost.bytes)})
          </p>
          <SimpleTable
            caption="Blocks lost in B that did not exist in A"
            testId="diff-lost-since"
            rows={lostSince.groups}
            cols={[
              { label: 'Verdict', value: (g) => g.kind },
              { label: 'Type', value: (g) => g.type ?? 'unknown' },
              { label: 'Block size', numeric: true, value: (g) => (g.blockSize === null ? 'various' : fmtBytes(g.blockSize)) },
              { label: 'Blocks', numeric: true, value: (g) => fmtCount(g.count) },
              { label: 'Bytes', numeric: true, value: (g) => fmtBytes(g.bytes) },
              { label: 'Examples', mono: true, value: (g) => g.examples.slice(0, 3).join(' ') }
            ]}
          />
        </>
      )}
    </section>
  )
}

function DiffResult({ diff }: { diff: DiffDoc }) {
  const t = diff.target
  const suspected = new Set(diff.suspects.flatMap((s) => (s.sizeClass ? [s.sizeClass.minSize] : [])))
  const classes = diff.heap?.sizeClasses.filter((c) => c.count.a || c.count.b) ?? []
  const bucket = (pick: 'a' | 'b') => classes.map((c) => ({ minSize: c.minSize, maxSize: c.maxSize, count: c.count[pick], bytes: c.bytes[pick] }))
  return (
    <div className="wb-diff" data-testid="diff-result">
      <p className="muted">
        A: {diff.a.label} ({diff.a.kinds.join(' + ')}{diff.a.takenAt ? `, ${fmtTime(diff.a.takenAt, 'local')}` : ''}) · B: {diff.b.label} ({diff.b.kinds.join(' + ')}
        {diff.b.takenAt ? `, ${fmtTime(diff.b.takenAt, 'local')}` : ''}){diff.elapsedMs !== null && ` · ${formatDuration(Math.abs(diff.elapsedMs))} apart`}
      </p>
      <h3>Leak suspects</h3>
      {diff.suspects.length === 0 ? (
        <p className="wb-ok" data-testid="no-suspects">
          No leak suspects: nothing grew by more than noise.
        </p>
      ) : (
        <ul className="wb-findings" data-testid="suspects">
          {diff.suspects.map((s, i) => (
            <li key={i} className={s.steady === false ? 'info' : 'warn'} data-testid="suspect" data-kind={s.kind} data-min-size={s.sizeClass?.minSize}>
              {s.steady && <strong>Grows steadily: </strong>}
              {s.evidence}
              {s.lost && <SuspectLost lost={s.lost} since={diff.lostSince !== null} />}
            </li>
          ))}
        </ul>
      )}
      {diff.lostSince && <LostSince lostSince={diff.lostSince} />}
      {diff.notes.map((n) => (
        <p key={n} className="wb-note">
          {n}
        </p>
      ))}
      {t && (
        <SimpleTable
          caption={`Process ${t.pid}${t.exeFile ? ` (${t.exeFile})` : ''}`}
          testId="diff-target"
          rows={targetMetrics(t)}
          cols={[
            { label: 'Metric', value: (m) => m.label },
            ...changeCols<Metric>('', (m) => m.unit, (m) => m.change),
            { label: '%', numeric: true, value: (m) => fmtPercent(m.change.pct) }
          ]}
        />
      )}
      {diff.heap && (
        <>
          <SizeClassBars title="Heap blocks per size class, A and B" testId="diff-size-chart" sets={[{ label: 'A', histogram: bucket('a') }, { label: 'B', histogram: bucket('b') }]} />
          <SimpleTable
            caption="Size classes"
            testId="diff-size-classes"
            rows={classes}
            marked={(c) => suspected.has(c.minSize)}
            cols={[
              { label: 'Size class', value: (c) => sizeClassLabel(c.minSize, c.maxSize) },
              ...changeCols<(typeof classes)[number]>('Blocks', () => 'count', (c) => c.count),
              ...changeCols<(typeof classes)[number]>('Bytes', () => 'bytes', (c) => c.bytes),
              // where both sides listed their blocks: which exact sizes grew
              ...(classes.some((c) => c.grewBySize) ? [{ label: 'Grew at', value: (c: (typeof classes)[number]) => exactSizesText(c.grewBySize ?? []) }] : [])
            ]}
          />
        </>
      )}
      {diff.allocs && (
        <SimpleTable
          caption={`Allocation stacks that leaked more (${fmtCount(diff.allocs.newStacks)} stacks new in B, ${fmtCount(diff.allocs.goneStacks)} only in A)`}
          testId="diff-alloc-stacks"
          rows={diff.allocs.grew}
          max={50}
          cols={[
            { label: 'Allocated at', value: (r) => siteText(r.frames) },
            ...changeCols<(typeof diff.allocs.grew)[number]>('Leaked bytes', () => 'bytes', (r) => r.leakedBytes),
            ...changeCols<(typeof diff.allocs.grew)[number]>('Leaked blocks', () => 'count', (r) => r.leakedBlocks),
            { label: 'Call chain', mono: true, value: (r) => chainText(r.frames) }
          ]}
        />
      )}
      {diff.processes && (
        <>
          <SimpleTable
            caption={`Processes started (${fmtCount(diff.processes.started.length)})`}
            testId="diff-started"
            rows={diff.processes.started}
            cols={processCols}
          />
          <SimpleTable
            caption={`Processes exited (${fmtCount(diff.processes.exited.length)})`}
            testId="diff-exited"
            rows={diff.processes.exited}
            cols={processCols}
          />
        </>
      )}
      {diff.threads && (
        <SimpleTable
          caption={`Thread counts that changed (${fmtCount(diff.threads.count.a)} → ${fmtCount(diff.threads.count.b)} threads)`}
          testId="diff-threads"
          rows={diff.threads.byProcess}
          max={20}
          cols={[{ label: 'PID', numeric: true, value: (c) => c.pid }, { label: 'Executable', value: (c) => c.exeFile }, ...changeCols<(typeof diff.threads.byProcess)[number]>('Threads', () => 'count', (c) => c.threads)]}
        />
      )}
      {diff.modules && (
        <>
          <SimpleTable caption="Modules loaded" testId="diff-loaded" rows={diff.modules.loaded} cols={[{ label: 'Module', value: (m) => m.moduleName }, { label: 'Path', mono: true, value: (m) => m.exePath }]} />
          <SimpleTable caption="Modules unloaded" testId="diff-unloaded" rows={diff.modules.unloaded} cols={[{ label: 'Module', value: (m) => m.moduleName }, { label: 'Path', mono: true, value: (m) => m.exePath }]} />
        </>
      )}
    </div>
  )
}

export function CompareView({ api, library }: { api: ConnectedApi; library: Library }) {
  const options = choices(library.files)
  const [a, setA] = useState('')
  const [b, setB] = useState('')
  const [diff, setDiff] = useState<DiffDoc | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  // Until chosen: the two most recent files (or the only one against itself: a timeline's span).
  const files = library.files
  useEffect(() => {
    const values = choices(files).map((o) => o.value)
    if (!values.includes(a)) setA(files.length > 1 ? encode({ fileId: files[files.length - 2].fileId }) : (values[0] ?? ''))
    if (!values.includes(b)) setB(files.length ? encode({ fileId: files[files.length - 1].fileId }) : '')
  }, [files, a, b])

  if (files.length === 0)
    return (
      <p className="empty" data-testid="compare-empty">
        Open two files (or one timeline) in Files to compare them.
      </p>
    )
  const run = async () => {
    setBusy(true)
    setError(null)
    try {
      setDiff(await api.invoke('diff.run', { a: decode(a), b: decode(b) }))
    } catch (err) {
      setDiff(null)
      setError(toErrorPayload(err).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="wb-compare">
      <div className="wb-compare-bar">
        <Picker label="A (before)" value={a} options={options} onChange={setA} testId="compare-a" />
        <Picker label="B (after)" value={b} options={options} onChange={setB} testId="compare-b" />
        <button type="button" className="primary" disabled={busy || !a || !b} onClick={() => void run()} data-testid="compare-run">
          {busy ? 'Comparing…' : 'Compare'}
        </button>
        {diff && a && b && <ExportBar api={api} a={decode(a)} b={decode(b)} testId="compare-export" />}
      </div>
      {error && (
        <p className="wb-error" role="alert" data-testid="compare-error">
          {error}
        </p>
      )}
      {diff && <DiffResult diff={diff} />}
    </div>
  )
}
