// A leak scan in a report: what is lost, and the groups of lost blocks by type or size.
import type { LeakGroup, LeaksDoc } from '../../../../src-common/contract/leakTypes'
import { fmtBytes, fmtCount } from '../../../../src-common/model/format/format'
import { columns, type Section, type Table } from '../../../../src-common/model/report/model'

/** Groups of lost blocks as a report table (a scan's, or those lost since an earlier scan in a compare). */
export const leakGroupTable = (id: string, title: string, groups: readonly LeakGroup[]): Table => ({
  id,
  title,
  columns: columns(['kind', 'Kind', 'text'], ['type', 'Type', 'text'], ['blockSize', 'Block size', 'bytes'], ['count', 'Blocks', 'count'], ['bytes', 'Bytes', 'bytes'], ['example', 'Example', 'mono']),
  rows: groups.map((g) => ({ kind: g.kind, type: g.type ?? '', blockSize: g.blockSize ?? 0, count: g.count, bytes: g.bytes, example: g.examples[0] ?? '' }))
})

export function leaksSection(doc: LeaksDoc, id: string): Section {
  const s = doc.summary
  const lostBlocks = s.definitelyLost.blocks + s.indirectlyLost.blocks
  return {
    id,
    title: `Leak scan of pid ${doc.pid}`,
    subtitle: `${doc.stopped ? 'target stopped' : 'target NOT fully stopped: may be wrong'} for ${Math.round(doc.stoppedMs)} ms`,
    cards: [
      { label: 'Definitely lost', value: `${fmtBytes(s.definitelyLost.bytes)} in ${fmtCount(s.definitelyLost.blocks)}`, tone: s.definitelyLost.blocks ? 'warn' : 'ok' },
      { label: 'Indirectly lost', value: `${fmtBytes(s.indirectlyLost.bytes)} in ${fmtCount(s.indirectlyLost.blocks)}`, tone: lostBlocks ? 'warn' : 'ok' },
      { label: 'Possibly lost', value: `${fmtBytes(s.possiblyLost.bytes)} in ${fmtCount(s.possiblyLost.blocks)}` },
      { label: 'Reachable', value: `${fmtBytes(s.reachable.bytes)} in ${fmtCount(s.reachable.blocks)}` }
    ],
    charts: [],
    tables: [leakGroupTable(`${id}-groups`, 'Lost blocks by type or size', doc.groups)]
  }
}
