// A snapshot in a report: what was running, the biggest processes, and the target's modules and heaps.
import type { Snapshot } from '../../../../src-common/contract/types'
import { commandLine, fmtCount } from '../../../../src-common/model/format/format'
import { columns, type Section } from '../../../../src-common/model/report/model'

const TOP_PROCESSES = 12

export function snapshotSection(snap: Snapshot, id: string): Section {
  const byWorkingSet = [...snap.processes].sort((a, b) => b.workingSetBytes - a.workingSetBytes)
  const target = snap.targetPid === null ? undefined : snap.processes.find((p) => p.pid === snap.targetPid)
  const section: Section = {
    id,
    title: target ? `Snapshot of ${target.exeFile} (pid ${target.pid})` : 'Snapshot',
    subtitle: `${snap.host.hostname || 'unknown host'} · ${snap.host.os} ${snap.host.arch} · ${snap.host.backend} · lists: ${snap.include.join(', ')}`,
    cards: [
      { label: 'Processes', value: fmtCount(snap.processes.length) },
      { label: 'Threads', value: fmtCount(snap.processes.reduce((s, p) => s + p.threadCount, 0)) },
      ...(snap.include.includes('module') ? [{ label: 'Modules', value: fmtCount(snap.modules.length), detail: `of pid ${snap.modules[0]?.pid ?? snap.targetPid ?? '—'}` }] : []),
      ...(snap.include.includes('heaplist') ? [{ label: 'Heaps', value: fmtCount(snap.heapLists.length) }] : []),
      { label: 'Read errors', value: fmtCount(snap.errors.length), detail: 'usually processes of other users' }
    ],
    charts: byWorkingSet.length
      ? [
          {
            kind: 'bars',
            id: `${id}-top-working-set`,
            title: `Largest working sets (top ${Math.min(TOP_PROCESSES, byWorkingSet.length)})`,
            unit: 'bytes',
            layout: 'rows',
            categories: byWorkingSet.slice(0, TOP_PROCESSES).map((p) => `${p.exeFile} (${p.pid})`),
            groups: [{ label: 'working set', values: byWorkingSet.slice(0, TOP_PROCESSES).map((p) => p.workingSetBytes) }]
          }
        ]
      : [],
    tables: []
  }
  const tables = section.tables!
  if (snap.processes.length)
    tables.push({
      id: `${id}-processes`,
      title: 'Processes, by working set',
      columns: columns(
        ['pid', 'PID', 'count'],
        ['parentPid', 'Parent', 'count'],
        ['exeFile', 'Executable', 'text'],
        ['user', 'User', 'text'],
        ['threadCount', 'Threads', 'count'],
        ['workingSetBytes', 'Working set', 'bytes'],
        ['startTime', 'Started', 'time'],
        ['cmdline', 'Command line', 'mono']
      ),
      rows: byWorkingSet.map((p) => ({ ...p, cmdline: commandLine(p.cmdline) }))
    })
  if (snap.modules.length)
    tables.push({
      id: `${id}-modules`,
      title: 'Modules',
      columns: columns(['moduleName', 'Module', 'text'], ['baseAddress', 'Base', 'mono'], ['baseSize', 'Size', 'bytes'], ['exePath', 'Path', 'mono'], ['deleted', 'Deleted', 'flag']),
      rows: snap.modules.map((m) => ({ ...m }))
    })
  if (snap.heapLists.length)
    tables.push({
      id: `${id}-heaps`,
      title: 'Heaps',
      columns: columns(
        ['heapId', 'Heap', 'mono'],
        ['kind', 'Kind', 'text'],
        ['allocator', 'Allocator', 'text'],
        ['baseAddress', 'Base', 'mono'],
        ['size', 'Size', 'bytes'],
        ['walkable', 'Walkable', 'flag'],
        ['note', 'Note', 'text']
      ),
      rows: snap.heapLists.map((h) => ({ ...h }))
    })
  if (snap.errors.length) tables.push(errorTable(id, snap.errors))
  return section
}

export const errorTable = (id: string, errors: Snapshot['errors']) => ({
  id: `${id}-errors`,
  title: 'What could not be read',
  columns: columns(['pid', 'PID', 'count'], ['scope', 'Reading', 'text'], ['code', 'Code', 'mono'], ['message', 'Message', 'text']),
  rows: errors.map((e) => ({ ...e }))
})
