// Small, valid documents for the tests of files, compare and reports (not used by the app).
import type { HeapWalksDoc, HistogramBucket, ProcessEntry, Snapshot, SymbolEntry, WsWatchDoc } from '../src-common/contract/types'
import type { SymbolsDoc } from '../src-common/contract/symbolTypes'
import type { TimelineDoc, TimelineSample } from '../src-common/contract/timelineTypes'
import { sumHeaps } from '../src-common/model/capture/heapTotals'

export const HOST = { os: 'linux', hostname: 'build-host-7', arch: 'x64', backend: 'linux-procfs' }
const T0 = Date.parse('2025-03-01T10:00:00.000Z')
export const at = (ms: number): string => new Date(T0 + ms).toISOString()

export function proc(pid: number, extra: Partial<ProcessEntry> = {}): ProcessEntry {
  return {
    pid,
    parentPid: 1,
    exeFile: `app${pid}`,
    name: `app${pid}`,
    threadCount: 2,
    basePriority: 20,
    exePath: `/home/alice/bin/app${pid}`,
    cmdline: [`/home/alice/bin/app${pid}`, '--config', '/home/alice/.config/app.toml'],
    user: 'alice',
    uid: 1000,
    startTime: at(-60_000),
    workingSetBytes: 10 << 20,
    pageFaultCount: 100,
    state: 'S',
    ...extra
  }
}

export function snapshotDoc(processes: ProcessEntry[], extra: Partial<Snapshot> = {}): Snapshot {
  return {
    format: 'snapscope.snapshot/1',
    takenAt: at(0),
    host: HOST,
    include: ['process', 'thread', 'module'],
    targetPid: processes[0]?.pid ?? null,
    processes,
    threads: processes.flatMap((p) => Array.from({ length: p.threadCount }, (_, i) => ({ tid: p.pid * 100 + i, ownerPid: p.pid, basePriority: 20, deltaPriority: 0 }))),
    modules: ['app', 'libc.so.6', 'libm.so.6'].map((m, i) => ({
      pid: processes[0]?.pid ?? 1,
      moduleName: m,
      exePath: `/usr/lib/${m}`,
      baseAddress: `0x7f00000${i}0000`,
      baseSize: 4096 * (i + 1),
      deleted: false
    })),
    heapLists: [],
    errors: [],
    ...extra
  }
}

/** Power-of-two size classes 17..32 up to 2049..4096 with the given counts (bytes = count × maxSize). */
export function histogram(counts: number[]): HistogramBucket[] {
  return counts.map((count, i) => {
    const maxSize = 32 << i
    return { minSize: (maxSize >> 1) + 1, maxSize, count, bytes: count * maxSize }
  })
}

export function heapWalksDoc(pid: number, counts: number[], takenAt = at(0)): HeapWalksDoc {
  const h = histogram(counts)
  const usedBytes = h.reduce((s, b) => s + b.bytes, 0)
  const usedBlocks = h.reduce((s, b) => s + b.count, 0)
  return {
    format: 'snapscope.heapwalks/1',
    pid,
    takenAt,
    stopped: false,
    heaps: [
      {
        format: 'snapscope.heapwalk/1',
        pid,
        heapId: '0x7f0000100000',
        kind: 'main-arena',
        takenAt,
        offset: 0,
        blocks: [{ address: '0x5555000010', blockSize: 24, flags: 'fixed' }],
        summary: { blockCount: usedBlocks, usedBlocks, usedBytes, freeBlocks: 0, freeBytes: 0, histogram: h },
        truncated: false,
        stopped: false,
        errors: []
      }
    ],
    errors: []
  }
}

export function sample(ms: number, over: Partial<TimelineSample> & { counts?: number[] } = {}): TimelineSample {
  const { counts = [10, 10, 10], ...rest } = over
  const heap = sumHeaps(heapWalksDoc(1, counts).heaps.map((h) => h.summary))
  return { takenAt: at(ms), workingSetBytes: 8 << 20, privateBytes: 4 << 20, threadCount: 4, moduleCount: 3, heap, ...rest }
}

export function timelineDoc(samples: TimelineSample[], pid = 4242): TimelineDoc {
  return {
    format: 'snapscope.timeline/1',
    pid,
    exeFile: 'leaky',
    host: HOST,
    startedAt: samples[0]?.takenAt ?? at(0),
    everyMs: 10_000,
    endReason: 'completed',
    samples,
    modules: [
      { moduleName: 'leaky', exePath: '/opt/leaky/bin/leaky', firstSample: 0, lastSample: samples.length - 1 },
      // loaded from the third sample on
      ...(samples.length > 2 ? [{ moduleName: 'plugin.so', exePath: '/opt/leaky/lib/plugin.so', firstSample: 2, lastSample: samples.length - 1 }] : [])
    ],
    errors: [],
    thinned: 0
  }
}

export function watchDoc(pid = 4242): WsWatchDoc {
  return {
    format: 'snapscope.wswatch/1',
    pid,
    mechanism: 'perf-page-faults',
    startedAt: at(0),
    durationMs: 2000,
    endReason: 'stopped',
    faults: [
      { pc: '0x401000', va: '0x7f0000001000', tid: pid, t: 1.5 },
      { pc: '0x401004', va: '0x7f0000002000', tid: pid, t: 900 }
    ],
    lost: 0,
    omitted: 0,
    summary: {
      total: 2,
      byModule: [{ module: 'leaky', count: 2 }],
      byRegion: [{ region: 'heap', count: 2 }],
      byThread: [{ tid: pid, count: 2 }],
      topPcs: [{ pc: '0x401000', symbol: 'leaky+0x1000', count: 1 }]
    }
  }
}

/** The names a watch took of its pcs: leaky's function with its source line, and code in no function. */
export const LEAKY_SYMBOLS: SymbolEntry[] = [
  {
    address: '0x401000',
    module: 'leaky',
    moduleOffset: 0x1000,
    function: 'leak::Pool::grow',
    offset: 0x2a,
    file: '/home/alice/src/leaky/pool.cc',
    line: 123,
    inlined: [{ function: 'leak::touch', file: '/home/alice/src/leaky/touch.h', line: 7 }],
    source: 'debuginfo',
    exact: true
  },
  { address: '0x401004', module: 'leaky', moduleOffset: 0x1004, function: null, offset: null, file: null, line: null, inlined: [], source: null, exact: false }
]

/** A watch document of this version: its top pcs named, a symbols table for its pcs. */
export function namedWatchDoc(pid = 4242): WsWatchDoc {
  const doc = watchDoc(pid)
  const named = { ...doc.summary.topPcs[0], module: 'leaky', moduleOffset: 0x1000, function: 'leak::Pool::grow', offset: 0x2a, exact: true, file: LEAKY_SYMBOLS[0].file!, line: 123 }
  return { ...doc, summary: { ...doc.summary, topPcs: [named] }, symbols: LEAKY_SYMBOLS }
}

export function symbolsDoc(pid = 4242): SymbolsDoc {
  return { format: 'snapscope.symbols/1', pid, takenAt: at(0), symbols: LEAKY_SYMBOLS }
}
