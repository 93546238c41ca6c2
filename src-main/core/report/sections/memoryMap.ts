// The memory map of a process (snapscope.memorymap/1) in a report: the totals by kind, then every region.
import type { MemoryMapDoc } from '../../../../src-common/contract/memoryMapTypes'
import { fmtBytes, fmtCount, fmtTime } from '../../../../src-common/model/format/format'
import { columns, type CellKind, type Section } from '../../../../src-common/model/report/model'

const FIGURES: [string, string, CellKind][] = [['sizeBytes', 'Size', 'bytes'], ['residentBytes', 'Resident', 'bytes'], ['privateBytes', 'Private', 'bytes'], ['swapBytes', 'Swap', 'bytes']]

export function memoryMapSection(doc: MemoryMapDoc, id: string): Section {
  const sum = (field: 'residentBytes' | 'privateBytes') => doc.totals.reduce((s, t) => s + t[field], 0)
  return {
    id,
    title: `Memory map of pid ${doc.pid}`,
    subtitle: `read ${fmtTime(doc.takenAt)}`,
    cards: [
      { label: 'Regions', value: fmtCount(doc.regions.length) },
      { label: 'Resident', value: fmtBytes(sum('residentBytes')) },
      { label: 'Private', value: fmtBytes(sum('privateBytes')) }
    ],
    tables: [
      { id: `${id}-kinds`, title: 'By kind', columns: columns(['kind', 'Kind', 'text'], ...FIGURES), rows: doc.totals },
      {
        id: `${id}-regions`,
        title: 'Regions',
        columns: columns(['start', 'Start', 'mono'], ['end', 'End', 'mono'], ['kind', 'Kind', 'text'], ['perms', 'Perms', 'mono'], ...FIGURES, ['path', 'Path', 'text']),
        rows: doc.regions
      }
    ]
  }
}
