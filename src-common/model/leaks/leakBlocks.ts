// The blocks of a leak scan that a view asks for: those of one group (kind, type, exact size), or
// those lost in a later scan that did not exist in an earlier one ("lost since A").
import type { LeakBlock, LeakGroup, LeakKind, LeaksDoc } from '../../contract/leakTypes'
import type { LostTotals } from '../../contract/diffTypes'
import { codedError } from '../../contract/errors'

export interface LeakBlockFilter {
  kind: LeakKind
  /** null: of no known type; undefined: any */
  type?: string | null
  /** undefined: any size */
  blockSize?: number
}

/** A block is the same one in both scans when it starts at the same address with the same size. */
const blockKey = (b: LeakBlock): string => `${b.address}/${b.blockSize}`

/** The blocks of `doc` that match `filter`, in address order; with `since`, only those `since` did not have. */
export function leakBlocks(doc: LeaksDoc, filter: LeakBlockFilter, since?: LeaksDoc): LeakBlock[] {
  if (!doc.blocks) throw codedError('ENOENT', `the leak scan of pid ${doc.pid} lists no blocks: scan again from the app (or with leaks --blocks)`)
  const before = since && new Set(blocksOf(since).map(blockKey))
  return doc.blocks.filter(
    (b) =>
      b.kind === filter.kind &&
      (filter.type === undefined || b.type === filter.type) &&
      (filter.blockSize === undefined || b.blockSize === filter.blockSize) &&
      !before?.has(blockKey(b))
  )
}

function blocksOf(doc: LeaksDoc): LeakBlock[] {
  if (!doc.blocks) throw codedError('ENOENT', `the earlier leak scan of pid ${doc.pid} lists no blocks: it cannot say which blocks are new`)
  return doc.blocks
}

/** example addresses a group keeps */
const EXAMPLES = 8

/** Lost blocks grouped as the scan groups them: by kind and type, by exact size where no type; most bytes first. */
export function groupLeakBlocks(blocks: readonly LeakBlock[]): LeakGroup[] {
  const groups = new Map<string, LeakGroup>()
  for (const b of blocks) {
    if (b.kind === 'reachable') continue
    const key = `${b.kind}|${b.type === null ? `size ${b.blockSize}` : `type ${b.type}`}`
    const g = groups.get(key)
    if (!g) {
      groups.set(key, { kind: b.kind, type: b.type, blockSize: b.blockSize, count: 1, bytes: b.blockSize, examples: [b.address] })
      continue
    }
    if (g.blockSize !== b.blockSize) g.blockSize = null
    g.count++
    g.bytes += b.blockSize
    if (g.examples.length < EXAMPLES) g.examples.push(b.address)
  }
  return [...groups.values()].sort((x, y) => y.bytes - x.bytes || y.count - x.count)
}

/** Lost blocks and bytes of groups, per kind. */
export function lostTotals(groups: readonly LeakGroup[]): LostTotals {
  const totals: LostTotals = { definitelyLost: { blocks: 0, bytes: 0 }, indirectlyLost: { blocks: 0, bytes: 0 }, possiblyLost: { blocks: 0, bytes: 0 } }
  for (const g of groups) {
    const t = totals[TOTAL_KEY[g.kind]]
    t.blocks += g.count
    t.bytes += g.bytes
  }
  return totals
}
const TOTAL_KEY = { 'definitely-lost': 'definitelyLost', 'indirectly-lost': 'indirectlyLost', 'possibly-lost': 'possiblyLost' } as const
