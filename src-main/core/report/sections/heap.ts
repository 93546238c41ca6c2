// Heap walks in a report: the heaps, their blocks per size class (counts and bytes), and the blocks
// the walk listed.
import type { HeapWalkDoc, HeapWalksDoc, HistogramBucket } from '../../../../src-common/contract/types'
import { sumHeaps } from '../../../../src-common/model/capture/heapTotals'
import { shortClass, sizeClassLabel } from '../../../../src-common/model/capture/series'
import { fmtBytes, fmtCount } from '../../../../src-common/model/format/format'
import { columns, type BarChart, type Section } from '../../../../src-common/model/report/model'
import { errorTable } from './snapshot'

export const histogramChart = (id: string, title: string, unit: BarChart['unit'], classes: HistogramBucket[], groups: BarChart['groups']): BarChart => ({
  kind: 'bars',
  id,
  title,
  unit,
  layout: 'columns',
  categories: classes.map((c) => shortClass(c.maxSize)),
  groups
})

export function heapSection(doc: HeapWalksDoc | HeapWalkDoc, id: string): Section {
  const heaps = doc.format === 'snapscope.heapwalks/1' ? doc.heaps : [doc]
  const totals = sumHeaps(heaps.map((h) => h.summary))
  const classes = totals.histogram.filter((b) => b.count > 0)
  const listed = heaps.flatMap((h) => h.blocks.map((b) => ({ heapId: h.heapId, ...b })))
  const tables: Section['tables'] = [
    {
      id: `${id}-heaps`,
      title: 'Heaps',
      columns: columns(
        ['heapId', 'Heap', 'mono'],
        ['kind', 'Kind', 'text'],
        ['usedBlocks', 'Blocks in use', 'count'],
        ['usedBytes', 'Bytes in use', 'bytes'],
        ['freeBlocks', 'Free blocks', 'count'],
        ['freeBytes', 'Free bytes', 'bytes'],
        ['truncated', 'Truncated', 'flag']
      ),
      rows: heaps.map(({ heapId, kind, summary: s, truncated }) => ({
        heapId,
        kind,
        usedBlocks: s.usedBlocks,
        usedBytes: s.usedBytes,
        freeBlocks: s.freeBlocks,
        freeBytes: s.freeBytes,
        truncated
      }))
    },
    {
      id: `${id}-size-classes`,
      title: 'Blocks per size class (in use and free)',
      columns: columns(['sizeClass', 'Size class', 'text'], ['minSize', 'From (B)', 'count'], ['maxSize', 'To (B)', 'count'], ['count', 'Blocks', 'count'], ['bytes', 'Bytes', 'bytes']),
      rows: classes.map((c) => ({ sizeClass: sizeClassLabel(c.minSize, c.maxSize), ...c }))
    }
  ]
  if (listed.length)
    tables.push({
      id: `${id}-blocks`,
      title: 'Blocks listed by the walk',
      columns: columns(['heapId', 'Heap', 'mono'], ['address', 'Address', 'mono'], ['blockSize', 'Size', 'count'], ['flags', 'Flags', 'text']),
      rows: listed
    })
  if (doc.errors.length) tables.push(errorTable(id, doc.errors))
  return {
    id,
    title: `Heaps of pid ${doc.pid}`,
    subtitle: doc.stopped ? 'walked with the process stopped (consistent)' : 'walked while the process ran (may be torn)',
    cards: [
      { label: 'Heaps', value: fmtCount(heaps.length) },
      { label: 'Blocks in use', value: fmtCount(totals.usedBlocks) },
      { label: 'Bytes in use', value: fmtBytes(totals.usedBytes) },
      { label: 'Free', value: fmtBytes(totals.freeBytes), detail: `${fmtCount(totals.freeBlocks)} blocks` }
    ],
    charts: classes.length
      ? [
          histogramChart(`${id}-class-counts`, 'Blocks per size class', 'count', classes, [{ label: 'blocks', values: classes.map((c) => c.count) }]),
          histogramChart(`${id}-class-bytes`, 'Bytes per size class', 'bytes', classes, [{ label: 'bytes', values: classes.map((c) => c.bytes) }])
        ]
      : [],
    tables
  }
}
