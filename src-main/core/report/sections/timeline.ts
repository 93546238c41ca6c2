// A timeline in a report: a chart per kind of number over time, the trend of every series (flagged
// when it grows steadily), the samples, and the modules that came or went during the capture.
import { formatDuration } from '../../../../src-common/model/capture/duration'
import { flaggedSeries, timelineSeries, type Series } from '../../../../src-common/model/capture/series'
import type { TimelineDoc } from '../../../../src-common/contract/timelineTypes'
import { change, diffObservations } from '../../../../src-common/model/diff/diff'
import { observeItems } from '../../../../src-common/model/diff/observation'
import { fmtCount } from '../../../../src-common/model/format/format'
import { columns, type Chart, type Section } from '../../../../src-common/model/report/model'
import { errorTable } from './snapshot'
import { growthTable, suspectFindings, suspectTable } from './suspects'

const SIZE_CLASS_LINES = 6

const line = (id: string, title: string, list: Series[]): Chart => ({
  kind: 'line',
  id,
  title,
  unit: list[0].unit,
  series: list.map((s) => ({ label: s.label, points: s.points, flagged: s.flagged }))
})

/** The size classes worth a line: flagged ones, then the most growth. */
function busiestClasses(all: Series[]): Series[] {
  const classes = all.filter((s) => s.sizeClass)
  const flagged = flaggedSeries(classes)
  const rest = classes.filter((s) => !s.flagged).sort((a, b) => b.trend.delta - a.trend.delta)
  return [...flagged, ...rest].slice(0, SIZE_CLASS_LINES)
}

export function timelineSection(doc: TimelineDoc, id: string): Section {
  const all = timelineSeries(doc)
  const pick = (...keys: string[]) => keys.flatMap((k) => all.filter((s) => s.key === k))
  const charts = [
    ['memory', 'Memory', pick('privateBytes', 'workingSet', 'heapUsedBytes')],
    ['threads', 'Threads', pick('threads')],
    ['modules', 'Modules', pick('modules')],
    ['heap-blocks', 'Heap blocks in use', pick('heapUsedBlocks')],
    ['size-classes', 'Heap blocks per size class (most growth)', busiestClasses(all)]
  ] as const
  const last = doc.samples.length - 1
  const spanMs = last > 0 ? Date.parse(doc.samples[last].takenAt) - Date.parse(doc.samples[0].takenAt) : 0
  const suspects = doc.samples.length > 1 ? diffObservations(observeItems([doc], 'first', 'a'), observeItems([doc], 'last', 'b')).suspects : []
  const flagged = all.filter((s) => s.flagged).length
  const changed = doc.modules.filter((m) => m.firstSample > 0 || m.lastSample < last)

  return {
    id,
    title: `Timeline of ${doc.exeFile} (pid ${doc.pid})`,
    subtitle: `${doc.host.hostname || 'unknown host'} · every ${formatDuration(doc.everyMs)} · ${formatDuration(spanMs)} · ended: ${doc.endReason}`,
    cards: [
      { label: 'Samples', value: fmtCount(doc.samples.length), detail: `every ${formatDuration(doc.everyMs)}` },
      { label: 'Span', value: formatDuration(spanMs) },
      { label: 'Growing steadily', value: fmtCount(flagged), detail: flagged ? 'series flagged below' : 'no series', tone: flagged ? 'warn' : 'ok' },
      { label: 'Modules loaded/unloaded', value: fmtCount(changed.length) }
    ],
    findings: suspectFindings(suspects),
    charts: charts.filter(([, , list]) => list.length > 0).map(([key, title, list]) => line(`${id}-${key}`, title, [...list])),
    tables: [
      suspectTable(id, suspects),
      growthTable(
        `${id}-trends`,
        'Trend of every series',
        'Series',
        all.map((s) => ({
          subject: s.label,
          unit: s.unit,
          change: change(s.trend.first, s.trend.last),
          perMinute: s.trend.slopePerMinute,
          rising: { steps: s.trend.rising, of: s.trend.steps },
          steady: s.flagged
        }))
      ),
      {
        id: `${id}-samples`,
        title: 'Samples',
        columns: columns(
          ['takenAt', 'Taken', 'time'],
          ['workingSetBytes', 'Working set', 'bytes'],
          ['privateBytes', 'Private', 'bytes'],
          ['threadCount', 'Threads', 'count'],
          ['moduleCount', 'Modules', 'count'],
          ['heapUsedBytes', 'Heap in use', 'bytes'],
          ['heapUsedBlocks', 'Heap blocks', 'count']
        ),
        rows: doc.samples.map((s) => ({
          takenAt: s.takenAt,
          workingSetBytes: s.workingSetBytes,
          privateBytes: s.privateBytes,
          threadCount: s.threadCount,
          moduleCount: s.moduleCount,
          heapUsedBytes: s.heap?.usedBytes ?? null,
          heapUsedBlocks: s.heap?.usedBlocks ?? null
        }))
      },
      {
        id: `${id}-module-changes`,
        title: 'Modules loaded or unloaded during the capture',
        columns: columns(['moduleName', 'Module', 'text'], ['loaded', 'Loaded at', 'time'], ['unloaded', 'Unloaded at', 'time'], ['exePath', 'Path', 'mono']),
        rows: changed.map((m) => ({
          moduleName: m.moduleName,
          loaded: m.firstSample > 0 ? doc.samples[m.firstSample].takenAt : null,
          unloaded: m.lastSample < last ? (doc.samples[m.lastSample + 1]?.takenAt ?? null) : null,
          exePath: m.exePath
        }))
      },
      ...(doc.errors.length ? [errorTable(id, doc.errors)] : [])
    ]
  }
}
