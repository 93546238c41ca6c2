// The memory one host (the Electron main process, or a browser-mode server) lets all its windows use
// together: heap views, heap walks, watches, captures and the PDF renderer each reserve their estimated
// bytes here before they start, and what would go past the budget is refused with EBUSY and what to
// free. Per-window limits (session.ts, workbench.ts) bound what one window runs; this bounds them all:
// eight windows of two heap views each cannot take the machine's memory.
//
// One budget per process, like the memory it guards: every session uses the process's own unless it is
// given one (a test, or a host that wants a budget of its own).

import { totalmem } from 'node:os'
import { PdfQueue } from './report/pdf'
import { SYMBOL_ENTRY_BYTES } from './symbols/symbolService'
import { MAX_NAMED_PCS } from './wsWatch'
import { codedError } from '../../src-common/contract/errors'

const MiB = 1 << 20

export type BudgetKind = 'heap view' | 'heap walk' | 'watch' | 'capture' | 'allocation trace' | 'PDF export'

/** What freeing each kind takes: the refusal names the kinds holding memory. */
const ADVICE: Record<BudgetKind, string> = {
  'heap view': 'close a heap view',
  'heap walk': 'wait for a heap walk to end',
  watch: 'stop a watch',
  capture: 'stop a capture',
  'allocation trace': 'stop an allocation trace',
  'PDF export': 'wait for the PDF export to finish'
}

/** What makes a request smaller, where it can be: said when one alone is larger than the whole budget. */
const SMALLER: Partial<Record<BudgetKind, string>> = {
  'heap walk': 'ask for fewer blocks a page, or ',
  capture: 'sample less often or for less long, or '
}

/** An amount reserved; release() gives it back (once, however often it is called). */
export interface Lease {
  readonly kind: BudgetKind
  readonly bytes: number
  /** Grows or shrinks the reservation; growing past the budget throws EBUSY and keeps the old size. */
  resize(bytes: number, what: string): void
  release(): void
}

/** The budget unless SNAPSCOPE_MEMORY_MB says otherwise: a quarter of the machine's memory, 1 to 2 GiB. */
export function defaultBudgetBytes(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.SNAPSCOPE_MEMORY_MB
  if (text === undefined || text === '') return Math.min(2048 * MiB, Math.max(1024 * MiB, Math.floor(totalmem() / 4)))
  const mb = Number(text)
  if (!Number.isInteger(mb) || mb < 64) throw new Error(`SNAPSCOPE_MEMORY_MB=${text}: give the memory Snapscope may use in MiB, a whole number of at least 64`)
  return mb * MiB
}

const mib = (bytes: number): string => `${Math.ceil(bytes / MiB)} MiB`

export class HostBudget {
  private readonly leases = new Set<Lease>()
  /** the one PDF renderer of the host, and its queue */
  readonly pdf: PdfQueue

  constructor(readonly limitBytes: number = defaultBudgetBytes()) {
    this.pdf = new PdfQueue(this)
  }

  get usedBytes(): number {
    let used = 0
    for (const lease of this.leases) used += lease.bytes
    return used
  }

  get freeBytes(): number {
    return Math.max(0, this.limitBytes - this.usedBytes)
  }

  /** What is held now, by kind (starts in flight included): the registry the refusals and tests read. */
  held(except?: Lease): Record<BudgetKind, { count: number; bytes: number }> {
    const out = Object.fromEntries(Object.keys(ADVICE).map((k) => [k, { count: 0, bytes: 0 }])) as Record<BudgetKind, { count: number; bytes: number }>
    for (const lease of this.leases) {
      if (lease === except) continue
      out[lease.kind].count++
      out[lease.kind].bytes += lease.bytes
    }
    return out
  }

  /** Reserves `bytes` for `what` ("a watch", "a heap view of 1,000,077 blocks"), or throws EBUSY. */
  reserve(kind: BudgetKind, bytes: number, what: string): Lease {
    this.check(kind, bytes, what)
    let held = bytes
    let released = false
    const lease: Lease = {
      kind,
      get bytes() {
        return released ? 0 : held
      },
      resize: (next, nextWhat) => {
        if (released) return
        if (next > held) this.check(kind, next, nextWhat, lease)
        held = next
      },
      release: () => {
        released = true
        this.leases.delete(lease)
      }
    }
    this.leases.add(lease)
    return lease
  }

  /** Throws EBUSY unless `bytes` more (for `self`: in place of what it holds) fit. */
  private check(kind: BudgetKind, bytes: number, what: string, self?: Lease): void {
    const used = this.usedBytes - (self?.bytes ?? 0)
    if (used + bytes <= this.limitBytes) return
    const held = Object.entries(this.held(self)).filter(([, h]) => h.count > 0) as [BudgetKind, { count: number; bytes: number }][]
    if (bytes > this.limitBytes || held.length === 0)
      throw codedError('EBUSY', 
        `${what} needs ${mib(bytes)}, more than the ${mib(this.limitBytes)} this Snapscope may use: ${SMALLER[kind] ?? ''}start Snapscope with SNAPSCOPE_MEMORY_MB set higher`
      )
    const list = held.map(([k, h]) => `${h.count} ${k}${h.count > 1 ? 's' : ''} ${mib(h.bytes)}`).join(', ')
    const advice = held.map(([k]) => ADVICE[k]).join(' or ')
    throw codedError('EBUSY', `${what} needs ${mib(bytes)}, but ${mib(used)} of the ${mib(this.limitBytes)} this Snapscope may use are taken (${list}): ${advice}, in this window or another, then try again`)
  }
}


let processBudget: HostBudget | undefined

/** The process's budget, shared by every session that was not given one. */
export function hostBudget(): HostBudget {
  return (processBudget ??= new HostBudget())
}

// What each kind costs, estimated from what it keeps.

/** a retained heap view: address and size (Float64), flag (Uint8), and the index of a filter (Uint32) */
export const VIEW_BYTES_PER_BLOCK = 8 + 8 + 1 + 4
/** what a heap view's walk holds before it has found any block: a full budget refuses it at once */
export const VIEW_START_BYTES = 1 * MiB
/** a walk in progress: the native block (24 bytes, see native/src/backend.h HeapBlock) and its typed-array copy */
export const WALKING_BYTES_PER_BLOCK = 24 + 8 + 8 + 1
/** a block of a heap.walk page: its object with a hex string, and its share of the JSON answer */
export const PAGE_BYTES_PER_BLOCK = 256
/** a watch: the stream's ring of 2^20 records (33 bytes each, watchStream.ts), the document's first
 *  10,000 records (28 bytes), the perf rings, which the native watch maps up to 64 MiB of, and the
 *  names of its distinct pcs */
export const WATCH_BYTES = (1 << 20) * 33 + 10_000 * 28 + 64 * MiB + MAX_NAMED_PCS * SYMBOL_ENTRY_BYTES
/** a capture: its document, and each sample (~1.4 kB as JSON with its heap histogram, about twice that as objects) */
export const CAPTURE_BASE_BYTES = 1 * MiB
export const CAPTURE_SAMPLE_BYTES = 4096
/** an allocation trace: its stacks (frames and counts, ~1 KiB each) for up to its document's 100,000, and their names */
export const ALLOC_TRACE_BYTES = 128 * MiB
