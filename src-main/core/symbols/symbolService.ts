// The names of one process's code addresses: asks the addon (native symbolize(), on a worker thread)
// only for addresses it has not named yet, in one batch for every ask made while the previous batch
// ran, and keeps a bounded cache of the answers. A service lives with what made it (a watch, one
// command), both of which end when the process does, so a reused pid never reads its cache.

import type { NativeAddon, NativeSymbolBatch } from '../../../native/index'
import { SCHEMA_LIMITS, SYMBOL_SOURCES, type InlinedFrame, type SymbolEntry } from '../../../src-common/contract/types'

/** A user-space address as a double (exact below 2^53), or any 64-bit address as a BigInt. */
export type CodeAddress = number | bigint
/** Map key: a number where it is exact (the watch's pcs), the BigInt otherwise. */
type Key = number | bigint

const keyOf = (a: CodeAddress): Key => (typeof a === 'bigint' && a <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(a) : a)

/** Names cached per process: far more distinct pcs than a watch meets, about 64 MB at most. */
export const SYMBOL_CACHE_ENTRIES = 200_000
/** what a cached name holds: its entry, address string and map slot (measured: ~320 bytes with libc's names) */
export const SYMBOL_ENTRY_BYTES = 320

interface Flight {
  addresses: Map<Key, bigint>
  names: Map<Key, SymbolEntry>
  done: Promise<void>
  settle(err?: unknown): void
}

export class SymbolService {
  private readonly cache = new Map<Key, SymbolEntry>()
  /** the batch the addon is naming, and the one collecting the asks made meanwhile */
  private running: Flight | undefined
  private next: Flight | undefined
  /** counts forget()s: a batch asked before one must not fill the cache with what it forgot */
  private epoch = 0

  constructor(
    private readonly addon: Pick<NativeAddon, 'symbolize'>,
    readonly pid: number,
    private readonly capacity = SYMBOL_CACHE_ENTRIES
  ) {}

  /** The names of `addresses`, in their order; rejects (ESRCH, EACCES) only when the process can't be read at all. */
  async lookup(addresses: readonly CodeAddress[]): Promise<SymbolEntry[]> {
    const keys = addresses.map(keyOf)
    const known = keys.map((k) => this.cache.get(k))
    const flights = new Set<Flight>()
    keys.forEach((k, i) => known[i] ?? flights.add(this.flightFor(k, addresses[i])))
    if (flights.size === 0) return known as SymbolEntry[]
    const asked = [...flights]
    await Promise.all(asked.map((f) => f.done))
    // From the flights, not the cache: a large ask may have pushed its own first names out of it.
    return keys.map((k, i) => known[i] ?? asked.find((f) => f.names.has(k))!.names.get(k)!)
  }

  /** Forgets the names of [start, end) (user-space addresses): other code is there now. */
  forget(start: number, end: number): void {
    this.epoch++
    for (const key of this.cache.keys()) if (typeof key === 'number' && key >= start && key < end) this.cache.delete(key)
  }

  /** The name of an address already named, without asking. */
  cached(address: CodeAddress): SymbolEntry | undefined {
    return this.cache.get(keyOf(address))
  }

  private flightFor(key: Key, address: CodeAddress): Flight {
    if (this.running?.addresses.has(key)) return this.running
    if (!this.next) {
      this.next = newFlight()
      // Asks made in the same turn go in one batch.
      setImmediate(() => this.launch())
    }
    this.next.addresses.set(key, BigInt(address))
    return this.next
  }

  private launch(): void {
    if (this.running || !this.next) return // the running batch launches the next one when it ends
    const flight = (this.running = this.next)
    this.next = undefined
    const addresses = BigUint64Array.from(flight.addresses.values())
    const epoch = this.epoch
    this.addon
      .symbolize(this.pid, addresses)
      .then((batch) => {
        const entries = decodeSymbols(batch, addresses)
        let i = 0
        for (const key of flight.addresses.keys()) {
          flight.names.set(key, entries[i])
          if (epoch === this.epoch) this.remember(key, entries[i])
          i++
        }
        flight.settle()
      }, flight.settle)
      .finally(() => {
        this.running = undefined
        this.launch()
      })
  }

  private remember(key: Key, entry: SymbolEntry): void {
    this.cache.set(key, entry)
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!)
  }
}

function newFlight(): Flight {
  let settle!: (err?: unknown) => void
  const done = new Promise<void>((ok, fail) => (settle = (err) => (err === undefined ? ok() : fail(err))))
  return { addresses: new Map(), names: new Map(), done, settle }
}

/** A name within the document's limit: demangled C++ templates can run to tens of thousands of characters. */
const clip = (s: string): string => (s.length <= SCHEMA_LIMITS.text ? s : `${s.slice(0, SCHEMA_LIMITS.text - 1)}…`)

/** The addon's columnar answer as one contract entry per address asked (within the document's limits). */
export function decodeSymbols(batch: NativeSymbolBatch, addresses: BigUint64Array): SymbolEntry[] {
  const s = batch.strings
  const text = (i: number): string | null => (s[i] ? clip(s[i]) : null)
  return Array.from(addresses, (address, i) => {
    const module = text(batch.module[i])
    const fn = text(batch.function[i])
    const inlined: InlinedFrame[] = []
    const end = Math.min(batch.inlineStart[i + 1], batch.inlineStart[i] + SCHEMA_LIMITS.inlined)
    for (let k = batch.inlineStart[i]; k < end; k++)
      inlined.push({ function: clip(s[batch.inlineFunction[k]]), file: text(batch.inlineFile[k]), line: batch.inlineLine[k] || null })
    return {
      address: '0x' + address.toString(16),
      module,
      moduleOffset: module === null ? null : batch.moduleOffset[i],
      function: fn,
      offset: fn === null ? null : batch.offset[i],
      file: text(batch.file[i]),
      line: batch.line[i] || null,
      inlined,
      source: batch.source[i] ? SYMBOL_SOURCES[batch.source[i] - 1] : null,
      exact: batch.exact[i] === 1
    }
  })
}
