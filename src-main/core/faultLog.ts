// The first `max` fault records of a watch, kept for its document, with the module and region each
// was attributed to. Typed arrays in chunks hold a record in 33 bytes, where an object with two hex
// strings takes a few hundred: two million records take 66 MB, and become objects only one at a
// time, as the document is written.

import { REGION_CODES, type FaultEntry, type RegionCode } from '../../src-common/contract/types'
import { hexHalves } from './addressMap'
import { StreamedArray } from './jsonStream'

const CHUNK = 1 << 16

interface Chunk {
  t: Float64Array
  pc: BigUint64Array
  va: BigUint64Array
  tid: Uint32Array
  /** index into the module names */
  module: Int32Array
  /** index into REGION_CODES */
  region: Uint8Array
  /** pc and va read as 32-bit halves (little-endian: low half first), to write them without BigInt */
  pcHalves: Uint32Array
  vaHalves: Uint32Array
}

export class FaultLog {
  private readonly chunks: Chunk[] = []
  private readonly chunkSize: number
  /** records kept */
  size = 0
  /** records that came after the log was full: counted, not kept */
  omitted = 0

  constructor(
    readonly max: number,
    /** module names by id (the records' module); may grow while records come */
    private readonly moduleNames: readonly string[]
  ) {
    this.chunkSize = Math.max(1, Math.min(CHUNK, max))
  }

  push(batch: { t: Float64Array; pc: BigUint64Array; va: BigUint64Array; tid: Uint32Array; module: Int32Array; region: Uint8Array }): void {
    const n = batch.t.length
    const take = Math.min(n, this.max - this.size)
    this.omitted += n - take
    for (let from = 0; from < take; ) {
      const at = this.size % this.chunkSize
      if (at === 0) this.chunks.push(newChunk(this.chunkSize))
      const chunk = this.chunks[this.chunks.length - 1]
      const to = from + Math.min(take - from, this.chunkSize - at)
      chunk.t.set(batch.t.subarray(from, to), at)
      chunk.pc.set(batch.pc.subarray(from, to), at)
      chunk.va.set(batch.va.subarray(from, to), at)
      chunk.tid.set(batch.tid.subarray(from, to), at)
      chunk.module.set(batch.module.subarray(from, to), at)
      chunk.region.set(batch.region.subarray(from, to), at)
      this.size += to - from
      from = to
    }
  }

  /** The i-th record kept, as the document writes it (t rounded to the microsecond). */
  entry(i: number): FaultEntry {
    const chunk = this.chunks[Math.floor(i / this.chunkSize)]
    const k = i % this.chunkSize
    return {
      pc: hexHalves(chunk.pcHalves[2 * k + 1], chunk.pcHalves[2 * k]),
      va: hexHalves(chunk.vaHalves[2 * k + 1], chunk.vaHalves[2 * k]),
      tid: chunk.tid[k],
      t: Math.round(chunk.t[k] * 1000) / 1000,
      module: this.moduleNames[chunk.module[k]],
      region: REGION_CODES[chunk.region[k]] as RegionCode
    }
  }

  /** Every record, made into objects one at a time as a JSON writer reaches them. */
  streamed(): StreamedArray<FaultEntry> {
    return new StreamedArray(this.size, (i) => this.entry(i))
  }

  toArray(): FaultEntry[] {
    return Array.from({ length: this.size }, (_, i) => this.entry(i))
  }
}

function newChunk(size: number): Chunk {
  const pc = new BigUint64Array(size)
  const va = new BigUint64Array(size)
  return {
    t: new Float64Array(size),
    pc,
    va,
    tid: new Uint32Array(size),
    module: new Int32Array(size),
    region: new Uint8Array(size),
    pcHalves: new Uint32Array(pc.buffer), vaHalves: new Uint32Array(va.buffer)
  }
}
