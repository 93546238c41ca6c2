// Builds the report model of a file (a section per item) or of a compare.
import { formatDuration } from '../../../src-common/model/capture/duration'
import type { DiffDoc } from '../../../src-common/contract/diffTypes'
import { GENERATOR } from '../files/snapshotFile'
import { addRedactions } from '../files/redact'
import type { FileItem, RedactionSummary, SnapscopeFile } from '../../../src-common/contract/fileTypes'
import { fmtCount, fmtTime } from '../../../src-common/model/format/format'
import { columns, REPORT_FORMAT, type ReportModel, type Section } from '../../../src-common/model/report/model'
import { allocsSection } from './sections/allocs'
import { diffSections } from './sections/diff'
import { heapSection } from './sections/heap'
import { leaksSection } from './sections/leaks'
import { memoryMapSection } from './sections/memoryMap'
import { snapshotSection } from './sections/snapshot'
import { symbolsSection } from './sections/symbols'
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
    case 'snapscope.symbols/1':
      return symbolsSection(item, id)
    case 'snapscope.allocs/1':
      return allocsSection(item, id)
    case 'snapscope.leaks/1':
      return leaksSection(item, id)
    case 'snapscope.memorymap/1':
      return memoryMapSection(item, id)
  }
}

const REDACTED_KINDS: [keyof RedactionSummary, string, string][] = [
  ['users', 'user name', 'user names'],
  ['hosts', 'host name', 'host names'],
  ['paths', 'directory', 'directories'],
  ['secrets', 'secret', 'secrets']
]

/** "2 user names, 1 host name, 14 directories, 3 secrets": for the report's header. */
export function redactionText(r: RedactionSummary | null): string {
  if (!r) return 'user names, host names, directories and secrets'
  return REDACTED_KINDS.map(([k, one, many]) => `${fmtCount(r[k])} ${r[k] === 1 ? one : many}`).join(', ')
}

/** The counts as a table too: the CSV export has no header to carry them. */
const redactionSection = (r: RedactionSummary): Section => ({
  id: 'redaction',
  title: 'Redaction',
  subtitle: 'replaced before this report was written: user names by user1 …, host names by "host", directories by "…", secrets by [redacted]',
  tables: [
    {
      id: 'redaction',
      title: 'Replaced',
      columns: columns(['kind', 'What', 'text'], ['count', 'Replaced', 'count']),
      rows: REDACTED_KINDS.map(([kind, , many]) => ({ kind: many, count: r[kind] }))
    }
  ]
})

/** Redacted when every file is (a compare of a plain and a redacted file is not), with their counts summed. */
function redactionOf(files: SnapscopeFile[]): { redacted: boolean; redaction: RedactionSummary | null } {
  const redacted = files.every((f) => f.redacted)
  if (!redacted || files.some((f) => !f.redaction)) return { redacted, redaction: null }
  return { redacted, redaction: files.map((f) => f.redaction!).reduce(addRedactions) }
}

function base(title: string, subtitle: string, files: SnapscopeFile[], meta: [string, string][], sections: Section[]): ReportModel {
  const { redacted, redaction } = redactionOf(files)
  return {
    format: REPORT_FORMAT,
    title,
    subtitle,
    generatedAt: new Date().toISOString(),
    generator: GENERATOR,
    redacted,
    redaction,
    meta,
    sections: redaction ? [...sections, redactionSection(redaction)] : sections
  }
}

/** `name` is the file's name as the user knows it: a label, never opened. */
export function fileReport(file: SnapscopeFile, name: string): ReportModel {
  const host = file.host.hostname ? `${file.host.hostname} (${file.host.os} ${file.host.arch})` : '—'
  return base(
    'Snapscope report',
    name,
    [file],
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

/** `files`: the two sides; the report is redacted when both are. */
export function diffReport(diff: DiffDoc, files: SnapscopeFile[]): ReportModel {
  const side = (s: DiffDoc['a']) => `${s.label} — ${s.kinds.join(' + ')}${s.takenAt ? `, ${fmtTime(s.takenAt)}` : ''}`
  return base(
    'Snapscope compare',
    `${diff.a.label} → ${diff.b.label}`,
    files,
    [
      ['A', side(diff.a)],
      ['B', side(diff.b)],
      ['Between', diff.elapsedMs === null ? '—' : formatDuration(Math.abs(diff.elapsedMs))],
      ['Suspects', String(diff.suspects.length)]
    ],
    diffSections(diff)
  )
}
