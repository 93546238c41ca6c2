// The heap walk against glibc's own accounting, read by gdb through libc6-dbg's symbols
// (oracle/glibc_heap.py): every chunk in a tcache of any thread, a fastbin or a bin, each arena's
// top and size, and mp_'s count and bytes of mmapped chunks. The walk must find exactly those free
// chunks, exactly that many mmapped blocks, and account for every byte of the main arena.
//
// One state for both: the targets are idle (blocked in poll() or read()) once ready; the walk stops
// them (and lets them go), then gdb attaches in batch mode, reads, and detaches.
import { afterEach, describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { loadAddon, type NativeHeapWalkResult } from '../index'
import { startFixture, type RunningFixture } from './fixtures'

const addon = loadAddon()
const ORACLE = path.join(__dirname, 'oracle', 'glibc_heap.py')
const GDB_TIMEOUT_MS = 60_000

interface Oracle {
  tcache: number[]
  fastbins: number[]
  bins: number[]
  tops: number[]
  arenas: { arena: number; systemMem: number }[]
  mmaps: number
  mmappedBytes: number
  tcacheCount: number
}

function which(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
// libc6-dbg puts libc's debug info under /usr/lib/debug (by build id).
const canTest = process.getuid?.() === 0 && which('gdb') && fs.existsSync('/usr/lib/debug/.build-id')
if (!canTest) console.warn('skipping the gdb oracle: it needs root, gdb and libc6-dbg (apt-get install gdb libc6-dbg)')

function oracle(pid: number): Oracle {
  const output = execFileSync('gdb', ['-batch', '-nx', '-p', String(pid), '-x', ORACLE], {
    encoding: 'utf8',
    timeout: GDB_TIMEOUT_MS,
    killSignal: 'SIGKILL', // the kernel detaches a dead tracer's tracees: the target runs on
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const line = output.split('\n').find((l) => l.startsWith('ORACLE '))
  if (!line) throw new Error(`gdb printed no ORACLE line:\n${output}`)
  return JSON.parse(line.slice('ORACLE '.length)) as Oracle
}

/**
 * Resolves once every thread of pid sits in the same blocking system call as 50 ms before (its
 * /proc/PID/task/TID/syscall): a target that printed "ready" may still be on its way to read().
 */
async function idle(pid: number): Promise<void> {
  const calls = () =>
    fs
      .readdirSync(`/proc/${pid}/task`)
      .map((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'utf8').split(' ')[0])
      .join()
  const deadline = Date.now() + 10_000
  let last = ''
  for (;;) {
    const now = calls()
    if (now === last && !now.includes('running')) return
    if (Date.now() > deadline) throw new Error(`process ${pid} did not go idle (its threads' system calls: ${now})`)
    last = now
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Walks with the target stopped, then asks gdb about the same (idle) state. */
async function walkAndOracle(pid: number): Promise<{ walk: NativeHeapWalkResult; glibc: Oracle }> {
  await idle(pid)
  const walk = await addon.heapWalk({ pid, heapId: null, offset: 0, limit: Infinity, stopTarget: true }).result
  expect(walk.stopped).toBe(true)
  return { walk, glibc: oracle(pid) }
}

function compare({ walk, glibc }: { walk: NativeHeapWalkResult; glibc: Oracle }) {
  expect(walk.errors).toEqual([])
  // Free chunks: the walk's free blocks (chunk = address - 16) in the arenas, tops included.
  const ours: number[] = []
  for (const heap of walk.heaps) {
    if (heap.kind === 'mmapped') continue
    for (let i = 0; i < heap.addresses.length; i++) if (heap.flags[i] === 1) ours.push(heap.addresses[i] - 16)
  }
  const theirs = [...new Set([...glibc.tcache, ...glibc.fastbins, ...glibc.bins, ...glibc.tops])]
  const missing = theirs.filter((c) => !ours.includes(c)).map((c) => c.toString(16))
  const extra = ours.filter((c) => !theirs.includes(c)).map((c) => c.toString(16))
  expect({ missing, extra }).toEqual({ missing: [], extra: [] })
  expect(ours.length).toBe(theirs.length)

  // Blocks with mappings of their own: as many, and as many bytes, as mp_ counts.
  const mmapped = walk.heaps.find((h) => h.kind === 'mmapped')
  const count = mmapped ? mmapped.addresses.length : 0
  const bytes = mmapped ? Array.from(mmapped.sizes).reduce((s, b) => s + b + 16, 0) : 0
  expect({ count, bytes }).toEqual({ count: glibc.mmaps, bytes: glibc.mmappedBytes })

  // Every byte of each arena is in some block: used + free chunk bytes (usable + 8 each) = system_mem,
  // less, in a thread arena, its heap_info and malloc_state before the first chunk (0x8d0 bytes).
  expect(walk.heaps.filter((h) => h.kind !== 'mmapped').map((h) => h.heapId)).toEqual(glibc.arenas.map((a) => '0x' + a.arena.toString(16)))
  for (const [i, heap] of walk.heaps.filter((h) => h.kind !== 'mmapped').entries()) {
    const { usedBytes, freeBytes, blockCount } = heap.summary
    const before = heap.kind === 'main-arena' ? 0 : 0x8d0
    expect(usedBytes + freeBytes + 8 * blockCount + before, `arena ${heap.heapId}`).toBe(glibc.arenas[i].systemMem)
  }
  return { free: theirs.length, tcache: glibc.tcache.length, mmapped: count }
}

describe.skipIf(!canTest)('the heap walk against gdb and libc6-dbg', () => {
  let fixture: RunningFixture<{ pid: number }> | undefined
  afterEach(async () => {
    await fixture?.stop()
    fixture = undefined
  })

  it('python3: finds the mmapped chunks that share anonymous mappings with pymalloc arenas', async () => {
    // Big bytearrays (135,168- and 266,240-byte mmapped chunks) among a million small objects:
    // pymalloc's 1 MiB arenas are mapped next to them and the kernel merges the mappings.
    const script = [
      'import sys',
      'small = [str(i) * 10 for i in range(200000)]',
      'big = [bytearray(131072), bytearray(262144)]',
      'more = [str(i) * 3 for i in range(200000)]',
      'big += [bytearray(131072), bytearray(262144)]',
      "print('{\"ready\": 1}', flush=True)",
      'sys.stdin.read()'
    ].join('\n')
    const proc = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] })
    proc.stdin!.on('error', () => {})
    try {
      await new Promise<void>((resolve, reject) => {
        proc.stdout!.once('data', () => resolve())
        proc.once('exit', (code) => reject(new Error(`python3 exited (${code}) before it was ready`)))
      })
      const pid = proc.pid!
      const result = walkAndOracle(pid)
      const counts = compare(await result)
      console.log(`python3: ${counts.free} free chunks (${counts.tcache} in tcaches), ${counts.mmapped} mmapped, as gdb says`)
      expect(counts.mmapped).toBeGreaterThanOrEqual(4)
    } finally {
      proc.stdin!.end()
      proc.kill('SIGKILL')
    }
  })

  for (const [label, args, env] of [
    ['threads sharing one arena whose tcaches sit in 0x2a0 chunks (arena_max=1)', ['--odd-tcache'], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=1' }],
    ['threads sharing one arena (arena_max=1)', [], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=1' }],
    ['threads with arenas of their own', [], {}]
  ] as const) {
    it(`heap_fixture, ${label}: the same free chunks, tcaches of every thread included`, async () => {
      fixture = await startFixture('heap_fixture', [...args], { env: { ...env } })
      const counts = compare(await walkAndOracle(fixture.info.pid))
      console.log(`heap_fixture ${args.join(' ')} ${JSON.stringify(env)}: ${counts.free} free chunks (${counts.tcache} in tcaches), ${counts.mmapped} mmapped`)
      expect(counts.tcache).toBeGreaterThan(20)
    })
  }
})
