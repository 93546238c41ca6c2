// A compare in a report: the suspects first, then the target's numbers, heap size classes side by
// side, the allocation stacks that leaked more, processes started and exited, thread and module changes.
import { formatDuration } from '../../../../src-common/model/capture/duration'
import { sizeClassLabel } from '../../../../src-common/model/capture/series'
import { targetMetrics } from '../../../../src-common/model/diff/diff'
import type { Change, DiffDoc, ProcessBrief, ProcessChange } from '../../../../src-common/contract/diffTypes'
import { fmtBytes, fmtCount, fmtQuantity, fmtSigned } from '../../../../src-common/model/format/format'
import type { Quantity } from '../../../../src-common/contract/diffTypes'
import { columns, type Card, type CellKind, type Section, type Table } from '../../../../src-common/model/report/model'
import { histogramChart } from './heap'
import { suspectFindings, suspectTable } from './suspects'
import { chainText, siteText } from '../../../../src-common/model/allocs/stackText'
import { exactSizesText } from '../../../../src-common/model/diff/suspects'
import { leakGroupTable } from './leaks'

const changeCols = (prefix: string, label: string, kind: 'count' | 'bytes'): [string, string, CellKind][] => [
  [`${prefix}A`, `${label} A`, kind],
  [`${prefix}B`, `${label} B`, kind],
  [`${prefix}Delta`, 'Change', kind === 'bytes' ? 'signedBytes' : 'signedCount']
]
const changeCells = (prefix: string, c: Change) => ({ [`${prefix}A`]: c.a, [`${prefix}B`]: c.b, [`${prefix}Delta`]: c.delta })

const processTable = (id: string, title: string, rows: ProcessBrief[]): Table => ({
  id,
  title,
  columns: columns(
    ['pid', 'PID', 'count'],
    ['parentPid', 'Parent', 'count'],
    ['exeFile', 'Executable', 'text'],
    ['threadCount', 'Threads', 'count'],
    ['workingSetBytes', 'Working set', 'bytes'],
    ['startTime', 'Started', 'time']
  ),
  rows: rows.map((p) => ({ ...p }))
})

const changeTable = (id: string, title: string, rows: ProcessChange[]): Table => ({
  id,
  title,
  columns: columns(['pid', 'PID', 'count'], ['exeFile', 'Executable', 'text'], ...changeCols('threads', 'Threads', 'count'), ...changeCols('ws', 'Working set', 'bytes')),
  rows: rows.map((c) => ({ pid: c.pid, exeFile: c.exeFile, ...changeCells('threads', c.threads), ...changeCells('ws', c.workingSet) }))
})

const card = (label: string, c: Change | null | undefined, unit: Quantity, warn = false): Card[] =>
  c ? [{ label, value: fmtSigned(c.delta, unit), detail: `${fmtQuantity(c.a, unit)} → ${fmtQuantity(c.b, unit)}`, tone: warn && c.delta > 0 ? 'warn' : undefined }] : []

export function diffSections(diff: DiffDoc): Section[] {
  const t = diff.target
  const sections: Section[] = [
    {
      id: 'suspects',
      title: 'Leak suspects',
      subtitle: diff.elapsedMs === null ? undefined : `B was taken ${formatDuration(Math.abs(diff.elapsedMs))} ${diff.elapsedMs >= 0 ? 'after' : 'before'} A`,
      cards: [
        { label: 'Suspects', value: fmtCount(diff.suspects.length), tone: diff.suspects.length ? 'warn' : 'ok' },
        ...card('Private bytes', t?.privateBytes, 'bytes', true),
        ...card('Heap bytes in use', t?.heapUsedBytes, 'bytes', true),
        ...card('Threads', t?.threadCount, 'count', true)
      ],
      findings: [...suspectFindings(diff.suspects), ...diff.notes.map((text) => ({ tone: 'info' as const, text }))],
      tables: [suspectTable('diff', diff.suspects)]
    }
  ]
  if (diff.lostSince) {
    const l = diff.lostSince.totals
    sections.push({
      id: 'lost-since',
      title: `Lost since A (pid ${diff.lostSince.pid})`,
      subtitle: 'blocks lost in B that did not exist in A',
      cards: [
        { label: 'Definitely lost', value: `${fmtBytes(l.definitelyLost.bytes)} in ${fmtCount(l.definitelyLost.blocks)}`, tone: l.definitelyLost.blocks ? 'warn' : 'ok' },
        { label: 'Indirectly lost', value: `${fmtBytes(l.indirectlyLost.bytes)} in ${fmtCount(l.indirectlyLost.blocks)}` },
        { label: 'Possibly lost', value: `${fmtBytes(l.possiblyLost.bytes)} in ${fmtCount(l.possiblyLost.blocks)}` }
      ],
      tables: [leakGroupTable('diff-lost-since', 'Blocks lost in B that did not exist in A', diff.lostSince.groups)]
    })
  }
  if (t) {
    sections.push({
      id: 'target',
      title: `Process ${t.pid}${t.exeFile ? ` (${t.exeFile})` : ''}`,
      tables: [
        {
          id: 'diff-target',
          title: 'Its numbers in A and B',
          columns: columns(['metric', 'Metric', 'text'], ['a', 'A', 'quantity'], ['b', 'B', 'quantity'], ['delta', 'Change', 'signedQuantity'], ['pct', '%', 'percent']),
          rows: targetMetrics(t).map(({ label, unit, change: c }) => ({ metric: label, unit, a: c.a, b: c.b, delta: c.delta, pct: c.pct }))
        }
      ]
    })
  }
  if (diff.heap) {
    const classes = diff.heap.sizeClasses.filter((r) => r.count.a || r.count.b)
    const suspected = new Set(diff.suspects.flatMap((s) => (s.sizeClass ? [s.sizeClass.minSize] : [])))
    const asBuckets = classes.map((r) => ({ minSize: r.minSize, maxSize: r.maxSize, count: 0, bytes: 0 }))
    const exact = classes.some((r) => r.grewBySize !== undefined)
    sections.push({
      id: 'heap',
      title: 'Heap blocks per size class',
      subtitle: 'every heap of the process added up; blocks in use and free',
      cards: [
        ...card('Blocks in use', diff.heap.usedBlocks, 'count', true),
        ...card('Bytes in use', diff.heap.usedBytes, 'bytes', true),
        ...card('Free bytes', diff.heap.freeBytes, 'bytes')
      ],
      charts: [
        histogramChart('diff-class-counts', 'Blocks per size class, A and B', 'count', asBuckets, [
          { label: 'A', values: classes.map((r) => r.count.a) },
          { label: 'B', values: classes.map((r) => r.count.b) }
        ]),
        histogramChart('diff-class-growth', 'Bytes gained (+) or released (−) per size class', 'bytes', asBuckets, [
          { label: 'B − A', values: classes.map((r) => r.bytes.delta) }
        ])
      ],
      tables: [
        {
          id: 'diff-size-classes',
          title: 'Size classes',
          columns: columns(
            ['sizeClass', 'Size class', 'text'],
            ...changeCols('count', 'Blocks', 'count'),
            ['countPct', '%', 'percent'],
            ...changeCols('bytes', 'Bytes', 'bytes'),
            // only where both sides listed their blocks
            ...(exact ? [['grewAt', 'Grew at exact sizes', 'text'] as [string, string, CellKind]] : [])
          ),
          rows: classes.map((r) => ({
            sizeClass: sizeClassLabel(r.minSize, r.maxSize),
            ...changeCells('count', r.count),
            countPct: r.count.pct,
            ...changeCells('bytes', r.bytes),
            ...(exact ? { grewAt: exactSizesText(r.grewBySize ?? []) } : {})
          })),
          marked: classes.flatMap((r, i) => (suspected.has(r.minSize) ? [i] : []))
        }
      ]
    })
  }
  if (diff.allocs) {
    const al = diff.allocs
    sections.push({
      id: 'allocs',
      title: 'Allocation stacks',
      subtitle: 'stacks matched by their named frames; those whose leaked bytes grew, most first',
      cards: [
        ...card('Leaked bytes', al.leakedBytes, 'bytes', true),
        ...card('Leaked blocks', al.leakedBlocks, 'count', true),
        ...card('Allocations', al.allocations, 'count'),
        { label: 'Stacks', value: `+${fmtCount(al.newStacks)} new`, detail: `${fmtCount(al.goneStacks)} only in A` }
      ],
      tables: [
        {
          id: 'diff-alloc-stacks',
          title: 'Stacks that leaked more in B',
          columns: columns(['site', 'Allocated at', 'mono'], ...changeCols('leaked', 'Leaked bytes', 'bytes'), ...changeCols('blocks', 'Leaked blocks', 'count'), ...changeCols('allocs', 'Allocations', 'count'), ['chain', 'Call chain', 'mono']),
          rows: al.grew.map((r) => ({
            site: siteText(r.frames),
            ...changeCells('leaked', r.leakedBytes),
            ...changeCells('blocks', r.leakedBlocks),
            ...changeCells('allocs', r.allocations),
            chain: chainText(r.frames, 16)
          }))
        }
      ]
    })
  }
  if (diff.processes) {
    const p = diff.processes
    sections.push({
      id: 'processes',
      title: 'Processes',
      cards: [
        { label: 'Processes', value: `${fmtCount(p.count.a)} → ${fmtCount(p.count.b)}` },
        { label: 'Started', value: fmtCount(p.started.length) },
        { label: 'Exited', value: fmtCount(p.exited.length) },
        ...(diff.threads ? card('Threads', diff.threads.count, 'count') : [])
      ],
      tables: [
        processTable('diff-processes-started', 'Started (in B, not in A)', p.started),
        processTable('diff-processes-exited', 'Exited (in A, not in B)', p.exited),
        changeTable('diff-processes-changed', 'Changed working set, most growth first', p.changed),
        ...(diff.threads ? [changeTable('diff-thread-changes', 'Changed thread count, most growth first', diff.threads.byProcess)] : [])
      ]
    })
  }
  if (diff.modules) {
    const m = diff.modules
    const moduleCols = columns(['moduleName', 'Module', 'text'], ['exePath', 'Path', 'mono'])
    sections.push({
      id: 'modules',
      title: `Modules of pid ${m.pid}`,
      cards: [
        { label: 'Modules', value: `${fmtCount(m.count.a)} → ${fmtCount(m.count.b)}` },
        { label: 'Loaded', value: fmtCount(m.loaded.length) },
        { label: 'Unloaded', value: fmtCount(m.unloaded.length) }
      ],
      tables: [
        { id: 'diff-modules-loaded', title: 'Loaded (in B, not in A)', columns: moduleCols, rows: m.loaded.map((x) => ({ ...x })) },
        { id: 'diff-modules-unloaded', title: 'Unloaded (in A, not in B)', columns: moduleCols, rows: m.unloaded.map((x) => ({ ...x })) }
      ]
    })
  }
  return sections
}
