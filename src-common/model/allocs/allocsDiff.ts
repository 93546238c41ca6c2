// What grew between two allocation traces of a program: the totals, and each call stack matched by its
// named frames (function and module; module+offset where unnamed), so traces of two runs, whose
// addresses differ, still meet. Stacks whose leaked bytes grew come first. Pure.
import type { AllocStack, AllocsDoc } from '../../contract/allocTypes'
import type { AllocStackChange, AllocsChange, Change } from '../../contract/diffTypes'
import { percentChange } from '../format/format'
import { frameKey } from './callTree'

/** stacks listed as grown at most (the counts cover them all) */
export const MAX_GROWN_STACKS = 200

const change = (a: number, b: number): Change => ({ a, b, delta: b - a, pct: percentChange(a, b) })

/** The key of a whole stack: its frame keys, innermost first. */
export const stackKey = (s: AllocStack): string => s.frames.map(frameKey).join('\u001e')

/** Stacks with the same key (one function's frames at different addresses of one stack merge) summed. */
function byKey(doc: AllocsDoc): Map<string, AllocStack> {
  const out = new Map<string, AllocStack>()
  for (const s of doc.stacks) {
    const key = stackKey(s)
    const had = out.get(key)
    out.set(
      key,
      had
        ? {
            frames: had.frames,
            allocations: had.allocations + s.allocations,
            bytes: had.bytes + s.bytes,
            temporary: had.temporary + s.temporary,
            leaked: { blocks: had.leaked.blocks + s.leaked.blocks, bytes: had.leaked.bytes + s.leaked.bytes },
            peakBytes: Math.max(had.peakBytes, s.peakBytes)
          }
        : s
    )
  }
  return out
}

const NONE: AllocStack = { frames: [], allocations: 0, bytes: 0, temporary: 0, leaked: { blocks: 0, bytes: 0 }, peakBytes: 0 }

export function diffAllocs(a: AllocsDoc, b: AllocsDoc): AllocsChange {
  const sa = byKey(a)
  const sb = byKey(b)
  const rows: AllocStackChange[] = []
  for (const key of new Set([...sa.keys(), ...sb.keys()])) {
    const x = sa.get(key) ?? NONE
    const y = sb.get(key) ?? NONE
    if (y.leaked.bytes <= x.leaked.bytes) continue
    rows.push({
      frames: (sb.get(key) ?? x).frames,
      leakedBytes: change(x.leaked.bytes, y.leaked.bytes),
      leakedBlocks: change(x.leaked.blocks, y.leaked.blocks),
      allocations: change(x.allocations, y.allocations),
      bytes: change(x.bytes, y.bytes)
    })
  }
  rows.sort((p, q) => q.leakedBytes.delta - p.leakedBytes.delta || q.allocations.delta - p.allocations.delta)
  return {
    pid: { a: a.pid, b: b.pid },
    durationMs: change(a.durationMs, b.durationMs),
    leakedBytes: change(a.totals.leakedBytes, b.totals.leakedBytes),
    leakedBlocks: change(a.totals.leakedBlocks, b.totals.leakedBlocks),
    allocations: change(a.totals.allocations, b.totals.allocations),
    temporary: change(a.totals.temporary, b.totals.temporary),
    peakBytes: change(a.totals.peakBytes, b.totals.peakBytes),
    grew: rows.slice(0, MAX_GROWN_STACKS),
    newStacks: [...sb.keys()].filter((k) => !sa.has(k)).length,
    goneStacks: [...sa.keys()].filter((k) => !sb.has(k)).length
  }
}
