// The addon's allocation tracer as ALLOCS.md gives it (native/index.ts takes it over from the
// allocnative branch): aggregation in native, batched typed arrays to JS.
import type { NativeAddon } from '../../../native/index'

export interface NativeAllocOptions {
  pid: number
  seconds?: number
  ringBytes?: number
  stackBytes?: number
  batchMs?: number
}
export interface NativeAllocBatch {
  newStacks: { id: number; frames: BigUint64Array }[]
  stackIds: Uint32Array
  allocations: Float64Array
  bytes: Float64Array
  frees: Float64Array
  freedBytes: Float64Array
  temporary: Float64Array
  totals: { allocations: number; frees: number; temporary: number; liveBlocks: number; liveBytes: number; peakBytes: number }
  lost: number
}
export interface NativeAllocEnd {
  reason: 'stopped' | 'target-exited' | 'error'
  code?: string
  message?: string
  leaked: { stackIds: Uint32Array; blocks: Float64Array; bytes: Float64Array; peakBytes: Float64Array }
}
export interface NativeAllocHandle {
  mechanism: string
  stop(): void
}
export type AllocAddon = Pick<NativeAddon, 'symbolize'> & {
  startAllocTrace(options: NativeAllocOptions, onBatch: (b: NativeAllocBatch) => void, onEnd: (e: NativeAllocEnd) => void): NativeAllocHandle
}
