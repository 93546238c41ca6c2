// An allocation trace in a report: the totals, the stacks that leaked most as a chart, and every stack
// (up to REPORT_STACKS) with its numbers and its call chain.
import type { AllocsDoc } from '../../../../src-common/contract/allocTypes'
import { formatDuration } from '../../../../src-common/model/capture/duration'
import { chainText, siteText } from '../../../../src-common/model/allocs/stackText'
import { fmtBytes, fmtCount } from '../../../../src-common/model/format/format'
import { columns, type Section } from '../../../../src-common/model/report/model'

/** stacks a report lists at most (the document has them all; the totals count them all) */
export const REPORT_STACKS = 1_000
const CHART_STACKS = 12

export function allocsSection(doc: AllocsDoc, id: string): Section {
  const t = doc.totals
  const stacks = doc.stacks.slice(0, REPORT_STACKS)
  const leaking = doc.stacks.filter((s) => s.leaked.bytes > 0).slice(0, CHART_STACKS)
  const cut = doc.stacks.length - stacks.length + (doc.omittedStacks ?? 0)
  return {
    id,
    title: `Allocations of pid ${doc.pid}`,
    subtitle: `${doc.mechanism} · ${formatDuration(doc.durationMs)} · ended: ${doc.endReason ?? 'stopped'}`,
    cards: [
      { label: 'Allocations', value: fmtCount(t.allocations) },
      { label: 'Temporary', value: fmtCount(t.temporary), detail: 'freed at once' },
      { label: 'Leaked', value: fmtBytes(t.leakedBytes), detail: `${fmtCount(t.leakedBlocks)} blocks still live at the end`, tone: t.leakedBytes ? 'warn' : 'ok' },
      { label: 'Peak', value: fmtBytes(t.peakBytes) },
      { label: 'Lost events', value: fmtCount(doc.lost), tone: doc.lost ? 'warn' : 'ok' }
    ],
    findings: [
      ...(doc.lost ? [{ tone: 'warn' as const, text: `${fmtCount(doc.lost)} events were lost: the counts are short by as many` }] : []),
      ...(doc.untracked?.blocks
        ? [{ tone: 'warn' as const, text: `${fmtCount(doc.untracked.blocks)} blocks were allocated past the tracer's live-block cap: counted, but not followed to their free (leaks may be fewer)` }]
        : []),
      ...(doc.untracked?.frees ? [{ tone: 'info' as const, text: `${fmtCount(doc.untracked.frees)} frees were of blocks allocated before the trace (not counted as frees)` }] : [])
    ],
    charts: leaking.length
      ? [
          {
            kind: 'bars',
            id: `${id}-leaked`,
            title: 'Leaked bytes by stack',
            unit: 'bytes',
            layout: 'rows',
            categories: leaking.map((s) => siteText(s.frames)),
            groups: [{ label: 'leaked', values: leaking.map((s) => s.leaked.bytes) }]
          }
        ]
      : [],
    tables: [
      {
        id: `${id}-stacks`,
        title: 'Allocation stacks (most leaked first)',
        columns: columns(
          ['site', 'Allocated at', 'mono'],
          ['leakedBytes', 'Leaked bytes', 'bytes'],
          ['leakedBlocks', 'Leaked blocks', 'count'],
          ['allocations', 'Allocations', 'count'],
          ['bytes', 'Bytes', 'bytes'],
          ['temporary', 'Temporary', 'count'],
          ['peakBytes', 'Peak', 'bytes'],
          ['chain', 'Call chain', 'mono']
        ),
        rows: stacks.map((s) => ({
          site: siteText(s.frames),
          leakedBytes: s.leaked.bytes,
          leakedBlocks: s.leaked.blocks,
          allocations: s.allocations,
          bytes: s.bytes,
          temporary: s.temporary,
          peakBytes: s.peakBytes,
          chain: chainText(s.frames, 16)
        })),
        note: cut > 0 ? `${fmtCount(cut)} stacks that leaked less are left out; the totals count them` : undefined
      }
    ]
  }
}
