// A working-set watch in a report: where the faults came from (modules, regions, threads, code) and
// how they spread over time.
import type { WsWatchDoc } from '../../../../src-common/contract/types'
import { formatDuration } from '../../../../src-common/model/capture/duration'
import { fmtCount } from '../../../../src-common/model/format/format'
import { columns, type Chart, type Section } from '../../../../src-common/model/report/model'
import { codeText, fileLineText } from '../../../../src-common/model/symbols/symbolText'

const TOP_MODULES = 12
const TIME_BINS = 60

/** Faults per second over the watch, in at most TIME_BINS bins. */
function faultRate(doc: WsWatchDoc): Chart | null {
  if (doc.faults.length === 0 || doc.durationMs <= 0) return null
  const binMs = Math.max(1, Math.ceil(doc.durationMs / TIME_BINS))
  const bins = new Array<number>(Math.ceil(doc.durationMs / binMs) + 1).fill(0)
  for (const f of doc.faults) bins[Math.min(bins.length - 1, Math.floor(f.t / binMs))]++
  return {
    kind: 'line',
    id: 'fault-rate',
    title: 'Faults per second',
    unit: 'count',
    series: [{ label: 'faults/s', points: bins.map((n, i) => ({ t: i * binMs, v: (n * 1000) / binMs })), flagged: false }]
  }
}

export function watchSection(doc: WsWatchDoc, id: string): Section {
  const top = doc.summary.byModule.slice(0, TOP_MODULES)
  const rate = faultRate(doc)
  return {
    id,
    title: `Working-set watch of pid ${doc.pid}`,
    subtitle: `${doc.mechanism} · ${formatDuration(doc.durationMs)} · ended: ${doc.endReason}`,
    cards: [
      { label: 'Faults', value: fmtCount(doc.summary.total) },
      { label: 'Lost', value: fmtCount(doc.lost), tone: doc.lost ? 'warn' : 'ok' },
      { label: 'Modules', value: fmtCount(doc.summary.byModule.length) },
      { label: 'Threads', value: fmtCount(doc.summary.byThread.length) }
    ],
    charts: [
      ...(top.length
        ? [
            {
              kind: 'bars' as const,
              id: `${id}-by-module`,
              title: 'Faults by module',
              unit: 'count' as const,
              layout: 'rows' as const,
              categories: top.map((m) => m.module),
              groups: [{ label: 'faults', values: top.map((m) => m.count) }]
            }
          ]
        : []),
      ...(rate ? [{ ...rate, id: `${id}-${rate.id}` }] : [])
    ],
    tables: [
      { id: `${id}-by-module`, title: 'Faults by module', columns: columns(['module', 'Module', 'text'], ['count', 'Faults', 'count']), rows: doc.summary.byModule.map((r) => ({ ...r })) },
      { id: `${id}-by-region`, title: 'Faults by region', columns: columns(['region', 'Region', 'text'], ['count', 'Faults', 'count']), rows: doc.summary.byRegion.map((r) => ({ ...r })) },
      { id: `${id}-by-thread`, title: 'Faults by thread', columns: columns(['tid', 'Thread', 'count'], ['count', 'Faults', 'count']), rows: doc.summary.byThread.map((r) => ({ ...r })) },
      {
        id: `${id}-top-pcs`,
        title: 'Code that faulted most',
        columns: columns(['code', 'Code', 'mono'], ['source', 'Source', 'mono'], ['module', 'Module', 'text'], ['pc', 'PC', 'mono'], ['count', 'Faults', 'count']),
        // documents written before names have module+offset (`symbol`) alone: it stands in for the code
        rows: doc.summary.topPcs.map((r) => ({ code: codeText(r), source: fileLineText(r), module: r.module ?? null, pc: r.pc, count: r.count }))
      }
    ]
  }
}
