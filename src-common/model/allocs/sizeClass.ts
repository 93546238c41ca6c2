// Which allocation stacks made the blocks of a heap walk's size class. A walk sees usable sizes
// (glibc: the chunk less its 8-byte header, chunks 16-byte aligned and at least 32 bytes on 64-bit),
// a trace the sizes the program asked for: a stack is in a class when its mean request, as glibc
// would have served it, falls in the class. Pure.
import type { AllocStack } from '../../contract/allocTypes'

/** The usable size glibc's malloc (64-bit) gives a request of `requested` bytes. */
export function glibcUsableSize(requested: number): number {
  const chunk = Math.max(32, Math.ceil((requested + 8) / 16) * 16)
  // at or past the default mmap threshold a block is a mapping of its own: pages, less two header words
  if (requested >= MMAP_THRESHOLD) return Math.ceil((chunk + 8) / PAGE) * PAGE - 16
  return chunk - 8
}
const MMAP_THRESHOLD = 128 * 1024
const PAGE = 4096

/** Indexes of the stacks whose mean allocation lands in [minSize, maxSize] once served. */
export function stacksInSizeClass(stacks: readonly AllocStack[], minSize: number, maxSize: number): Set<number> {
  const out = new Set<number>()
  stacks.forEach((s, i) => {
    if (s.allocations === 0) return
    const usable = glibcUsableSize(Math.round(s.bytes / s.allocations))
    if (usable >= minSize && usable <= maxSize) out.add(i)
  })
  return out
}
