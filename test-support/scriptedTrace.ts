// Allocation documents made by the real trace service (src-main/core/allocs/allocTrace.ts: folding,
// naming by the real addon's symbolize, the document) from batches a test scripts, on a real python3
// whose libc functions stand in for the frames of the stacks. For the pure parts (call trees, flame
// graph, diff, pprof, reports) that need stacks of a known shape; the tracer itself is tested on its
// fixtures (native/test).
import { spawn } from 'node:child_process'
import type { NativeAllocBatch, NativeAllocEnd } from '../native/index'
import { loadAddon } from '../native/index'
import { AllocTrace, type AllocAddon } from '../src-main/core/allocs/allocTrace'
import type { AllocsDoc } from '../src-common/contract/allocTypes'

/** libc functions whose addresses the python prints: the scripted stacks' frames. */
export const LIBC_FUNCTIONS = ['qsort', 'bsearch', 'strtol', 'getenv', 'rand', 'abs'] as const
export type LibcFunction = (typeof LIBC_FUNCTIONS)[number]

const SCRIPT = `import ctypes, os, sys
libc = ctypes.CDLL(None)
names = sys.argv[1:]
print(os.getpid(), *[ctypes.cast(getattr(libc, n), ctypes.c_void_p).value for n in names], flush=True)
sys.stdin.read()`

export interface LibcPython {
  pid: number
  /** a return address inside each function (its start + 1: named one byte back, at its first instruction) */
  at: Record<LibcFunction, bigint>
  stop(): void
}

export async function startLibcPython(): Promise<LibcPython> {
  const python = spawn('python3', ['-c', SCRIPT, ...LIBC_FUNCTIONS], { stdio: ['pipe', 'pipe', 'inherit'] })
  const line = await new Promise<string>((ok, fail) => {
    let text = ''
    python.stdout!.on('data', (d: Buffer) => (text += d.toString()).includes('\n') && ok(text))
    python.once('exit', (code) => fail(new Error(`python3 exited (${code}) before printing its addresses`)))
  })
  const [pid, ...addresses] = line.trim().split(' ')
  const at = Object.fromEntries(LIBC_FUNCTIONS.map((f, i) => [f, BigInt(addresses[i]) + 1n])) as Record<LibcFunction, bigint>
  return { pid: Number(pid), at, stop: () => python.stdin!.end() }
}

/** A stack as a test writes it: its functions innermost first, what it allocated, and what was live at the end. */
export interface ScriptedStack {
  frames: LibcFunction[]
  allocations: number
  bytes: number
  temporary?: number
  leakedBlocks?: number
  leakedBytes?: number
}

/** The addon's tracer replaced by one that delivers `stacks` in two batches and ends when stopped. */
function scriptedAddon(py: LibcPython, stacks: ScriptedStack[], reason: NativeAllocEnd['reason']): AllocAddon {
  const addon = loadAddon()
  return {
    symbolize: (pid, a) => addon.symbolize(pid, a),
    snapshot: (o) => addon.snapshot(o),
    memoryRegions: (pid) => addon.memoryRegions(pid),
    startAllocTrace: (_options, onBatch, onEnd) => {
      const col = (f: (s: ScriptedStack) => number, part: number) => Float64Array.from(stacks, (s) => (part === 0 ? Math.floor(f(s) / 2) : f(s) - Math.floor(f(s) / 2)))
      const sum = (f: (s: ScriptedStack) => number) => stacks.reduce((n, s) => n + f(s), 0)
      const totals = {
        allocations: sum((s) => s.allocations),
        bytes: sum((s) => s.bytes),
        frees: sum((s) => s.allocations - (s.leakedBlocks ?? 0)),
        temporary: sum((s) => s.temporary ?? 0),
        liveBlocks: sum((s) => s.leakedBlocks ?? 0),
        liveBytes: sum((s) => s.leakedBytes ?? 0),
        peakBytes: sum((s) => s.bytes),
        untrackedFrees: 0,
        untrackedBlocks: 0,
        unwinds: 0,
        unwindCacheHits: 0
      }
      const batch = (part: number): NativeAllocBatch => ({
        newStacks: part === 0 ? stacks.map((s, i) => ({ id: i + 1, frames: BigUint64Array.from(s.frames, (f) => py.at[f]) })) : [],
        stackIds: Uint32Array.from(stacks, (_, i) => i + 1),
        allocations: col((s) => s.allocations, part),
        bytes: col((s) => s.bytes, part),
        frees: col((s) => s.allocations - (s.leakedBlocks ?? 0), part),
        freedBytes: col((s) => s.bytes - (s.leakedBytes ?? 0), part),
        temporary: col((s) => s.temporary ?? 0, part),
        totals,
        lost: 0
      })
      const end = (): void =>
        onEnd({
          reason,
          leaked: {
            stackIds: Uint32Array.from(stacks, (_, i) => i + 1),
            blocks: Float64Array.from(stacks, (s) => s.leakedBlocks ?? 0),
            bytes: Float64Array.from(stacks, (s) => s.leakedBytes ?? 0),
            peakBytes: Float64Array.from(stacks, (s) => s.bytes)
          }
        })
      setImmediate(() => onBatch(batch(0)))
      setImmediate(() => onBatch(batch(1)))
      return { mechanism: 'scripted', stop: () => setTimeout(end, 10) }
    }
  }
}

/** The document AllocTrace makes of `stacks` (their frames named by the real addon in the python). */
export async function scriptedDoc(py: LibcPython, stacks: ScriptedStack[], reason: NativeAllocEnd['reason'] = 'stopped'): Promise<AllocsDoc> {
  const trace = await AllocTrace.start(scriptedAddon(py, stacks, reason), { pid: py.pid })
  await new Promise((ok) => setTimeout(ok, 300)) // both batches in, their frames named
  return trace.stop()
}
