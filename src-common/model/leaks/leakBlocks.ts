// The blocks of a leak scan that a view asks for: those of one group (kind, type, exact size), or
// those lost in a later scan that did not exist in an earlier one ("lost since A").
import type { LeakBlock, LeakKind, LeaksDoc } from '../../contract/leakTypes'
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
