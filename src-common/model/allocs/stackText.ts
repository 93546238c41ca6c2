// A call stack in one line, as reports, the terminal and the window show it. Pure.
import type { AllocFrame } from '../../contract/allocTypes'
import { fileLineText } from '../symbols/symbolText'
import { frameName } from './callTree'

/** The allocator's own entry points: a stack's site is the first frame past them. */
const ALLOCATOR = /^(malloc|calloc|realloc|reallocarray|free|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|__libc_\w+|operator new.*|_Znwm|_Znam)$/

/** The frame that asked the allocator: the innermost one not in the allocator itself. */
export function allocationSite(frames: readonly AllocFrame[]): AllocFrame | undefined {
  return frames.find((f) => !(f.function && ALLOCATOR.test(f.function))) ?? frames[0]
}

/** "leak_here (fixture.c:42)": the site's name and, where known, its line. */
export function siteText(frames: readonly AllocFrame[]): string {
  const site = allocationSite(frames)
  if (!site) return '(no frames)'
  const where = fileLineText(site)
  return where ? `${frameName(site)} (${where})` : frameName(site)
}

/** "leak_here ← make_leak ← main": the stack from its site outwards, `max` frames at most. */
export function chainText(frames: readonly AllocFrame[], max = 8): string {
  const site = allocationSite(frames)
  const from = site ? frames.indexOf(site) : 0
  const shown = frames.slice(from, from + max).map(frameName)
  return shown.join(' ← ') + (frames.length - from > max ? ` ← … (${frames.length - from - max} more)` : '')
}
