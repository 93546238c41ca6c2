// The most recent raw fault records of a watch, in typed arrays of fixed size: what "show me the
// records of this selection" reads. Older records are overwritten; memory never grows.

import type { AttributedBatch } from './wsWatch'

export class FaultRing {
  readonly t: Float64Array
  readonly pc: BigUint64Array
  readonly va: BigUint64Array
  readonly tid: Uint32Array
  readonly module: Int32Array
  readonly region: Uint8Array
  /** records ever written; the ring holds the last min(written, capacity) of them */
  private written = 0

  constructor(readonly capacity: number) {
    this.t = new Float64Array(capacity)
    this.pc = new BigUint64Array(capacity)
    this.va = new BigUint64Array(capacity)
    this.tid = new Uint32Array(capacity)
    this.module = new Int32Array(capacity)
    this.region = new Uint8Array(capacity)
  }

  get size(): number {
    return Math.min(this.written, this.capacity)
  }

  push(batch: AttributedBatch): void {
    const n = batch.t.length
    // A batch larger than the ring: only its tail survives anyway.
    const from = Math.max(0, n - this.capacity)
    this.written += from
    for (let start = from; start < n; ) {
      const at = this.written % this.capacity
      const count = Math.min(n - start, this.capacity - at)
      const end = start + count
      this.t.set(batch.t.subarray(start, end), at)
      this.pc.set(batch.pc.subarray(start, end), at)
      this.va.set(batch.va.subarray(start, end), at)
      this.tid.set(batch.tid.subarray(start, end), at)
      this.module.set(batch.module.subarray(start, end), at)
      this.region.set(batch.region.subarray(start, end), at)
      this.written += count
      start = end
    }
  }

  /** Slot of the k-th oldest record held (0 <= k < size). */
  slot(k: number): number {
    return (this.written - this.size + k) % this.capacity
  }

  /** t of the oldest record held, or 0 when empty. */
  get oldestMs(): number {
    return this.size === 0 ? 0 : this.t[this.slot(0)]
  }
}
