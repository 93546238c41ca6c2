// Builds the report model of a file (a section per item) or of a compare.
import { formatDuration } from '../capture/duration'
import type { DiffDoc } from '../diff/types'
import { GENERATOR } from '../files/snapshotFile'
import type { FileItem, SnapscopeFile } from '../files/types'
import { fmtTime } from './format'
import { REPORT_FORMAT, type ReportModel, type Section } from './model'
import { diffSections } from './sections/diff'
import { heapSection } from './sections/heap'
import { snapshotSection } from './sections/snapshot'
import { timelineSection } from './sections/timeline'
import { watchSection } from './sections/watch'

function itemSection(item: FileItem, id: string): Section {
  switch (item.format) {
    case 'snapscope.snapshot/1':
      return snapshotSection(item, id)
    case 'snapscope.heapwalks/1':
    case 'snapscope.heapwalk/1':
      return heapSection(item, id)
    case 'snapscope.wswatch/1':
      return watchSection(item, id)
    case 'snapscope.timeline/1':
      return timelineSection(item, id)
  }
}

const base = (title: string, subtitle: string, redacted: boolean, meta: [string, string][], sections: Section[]): ReportModel => ({
  format: REPORT_FORMAT,
  title,
  subtitle,
  generatedAt: new Date().toISOString(),
  generator: GENERATOR,
  redacted,
  meta,
  sections
})

/** `name` is the file's name as the user knows it: a label, never opened. */
export function fileReport(file: SnapscopeFile, name: string): ReportModel {
  const host = file.host.hostname ? `${file.host.hostname} (${file.host.os} ${file.host.arch})` : '—'
  return base(
    'Snapscope report',
    name,
    file.redacted,
    [
      ['File', name],
      ['Created', fmtTime(file.createdAt)],
      ['Host', host],
      ['Written by', file.generator],
      ['Contents', file.items.length === 1 ? '1 item' : `${file.items.length} items`]
    ],
    file.items.map((item, i) => itemSection(item, `item${i}`))
  )
}

export function diffReport(diff: DiffDoc, redacted: boolean): ReportModel {
  const side = (s: DiffDoc['a']) => `${s.label} — ${s.kinds.join(' + ')}${s.takenAt ? `, ${fmtTime(s.takenAt)}` : ''}`
  return base(
    'Snapscope compare',
    `${diff.a.label} → ${diff.b.label}`,
    redacted,
    [
      ['A', side(diff.a)],
      ['B', side(diff.b)],
      ['Between', diff.elapsedMs === null ? '—' : formatDuration(Math.abs(diff.elapsedMs))],
      ['Suspects', String(diff.suspects.length)]
    ],
    diffSections(diff)
  )
}
