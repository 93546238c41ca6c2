// Shared by the allocation-trace tests and bench: run a trace of a fixture to its end and gather
// what it delivered (stacks, per-stack sums of the batches, the end), and name frames.
import { spawn, type ChildProcess } from 'node:child_process'
import { loadAddon, type NativeAllocEnd, type NativeAllocOptions, type NativeAllocBatch } from '../index'

export interface StackSums {
  frames: bigint[]
  allocations: number
  bytes: number
  frees: number
  freedBytes: number
  temporary: number
  leakedBlocks: number
  leakedBytes: number
  peakBytes: number
}

export interface TraceResult {
  mechanism: string
  end: NativeAllocEnd
  stacks: Map<number, StackSums>
  totals: NativeAllocBatch['totals'] | undefined
  lost: number
  batches: number
}

export interface LiveTrace {
  mechanism: string
  stop(): void
  /** resolves once onEnd ran */
  done: Promise<TraceResult>
}

/** Starts a trace; the result sums every batch and merges the end's leaks into the stacks. */
export function startTrace(options: NativeAllocOptions): LiveTrace {
  const addon = loadAddon()
  const stacks = new Map<number, StackSums>()
  const stackOf = (id: number) => {
    let s = stacks.get(id)
    if (!s) {
      s = { frames: [], allocations: 0, bytes: 0, frees: 0, freedBytes: 0, temporary: 0, leakedBlocks: 0, leakedBytes: 0, peakBytes: 0 }
      stacks.set(id, s)
    }
    return s
  }
  let lost = 0
  let batches = 0
  let totals: NativeAllocBatch['totals'] | undefined
  let resolveDone!: (r: TraceResult) => void
  const done = new Promise<TraceResult>((resolve) => (resolveDone = resolve))
  const handle = addon.startAllocTrace(
    options,
    (b) => {
      batches++
      for (const s of b.newStacks) stackOf(s.id).frames = [...s.frames]
      for (let i = 0; i < b.stackIds.length; i++) {
        const s = stackOf(b.stackIds[i])
        s.allocations += b.allocations[i]
        s.bytes += b.bytes[i]
        s.frees += b.frees[i]
        s.freedBytes += b.freedBytes[i]
        s.temporary += b.temporary[i]
      }
      lost += b.lost
      totals = b.totals
    },
    (end) => {
      for (let i = 0; i < end.leaked.stackIds.length; i++) {
        const s = stackOf(end.leaked.stackIds[i])
        s.leakedBlocks = end.leaked.blocks[i]
        s.leakedBytes = end.leaked.bytes[i]
        s.peakBytes = end.leaked.peakBytes[i]
      }
      resolveDone({ mechanism: handle.mechanism, end, stacks, totals, lost, batches })
    }
  )
  return { mechanism: handle.mechanism, stop: () => handle.stop(), done }
}

/** Function names of each frame, innermost first, inlined frames expanded (innermost first). */
export async function frameNames(pid: number, frames: bigint[]): Promise<string[][]> {
  if (frames.length === 0) return []
  const batch = await loadAddon().symbolize(pid, BigUint64Array.from(frames))
  return frames.map((_, i) => {
    const names: string[] = []
    for (let k = batch.inlineStart[i]; k < batch.inlineStart[i + 1]; k++) names.push(batch.strings[batch.inlineFunction[k]])
    names.push(batch.strings[batch.function[i]] || `?${batch.strings[batch.module[i]]}`)
    return names
  })
}

/** Resolves with the next stdout line of `proc` that parses as JSON and passes `accept`. */
export function nextJsonLine<T>(proc: ChildProcess, accept: (value: T) => boolean = () => true, timeoutMs = 30_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => {
      proc.stdout!.off('data', onData)
      reject(new Error(`no matching line from pid ${proc.pid} in ${timeoutMs} ms: ${text.slice(-500)}`))
    }, timeoutMs)
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8')
      let end
      while ((end = text.indexOf('\n')) >= 0) {
        const line = text.slice(0, end)
        text = text.slice(end + 1)
        try {
          const value = JSON.parse(line) as T
          if (!accept(value)) continue
          clearTimeout(timer)
          proc.stdout!.off('data', onData)
          resolve(value)
          return
        } catch {
          // not JSON (a launcher's own output): keep reading
        }
      }
    }
    proc.stdout!.on('data', onData)
  })
}

/** Runs `binary args` under heaptrack's launch mode; `round(pid, proc)` drives it, then stdin closes and heaptrack writes `file`. */
export async function underHeaptrack(
  file: string,
  binary: string,
  args: readonly string[],
  round: (pid: number, proc: ChildProcess) => Promise<void>
): Promise<void> {
  const proc = spawn('heaptrack', ['-o', file, binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  proc.stdin!.on('error', () => {})
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  try {
    const ready = await nextJsonLine<{ pid: number }>(proc, (v) => typeof v.pid === 'number')
    await round(ready.pid, proc)
  } finally {
    proc.stdin!.end()
  }
  const code = await exited
  if (code !== 0) throw new Error(`heaptrack exited with ${code}`)
}
