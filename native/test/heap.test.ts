// Heap lists and heap walks of real processes: heap_fixture.c builds a glibc heap of a known shape
// (main thread + 2 threads with arenas of their own, blocks above the mmap threshold, every kind of
// free chunk) and prints its live and freed pointers; the walk must agree with it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { addonPath, loadAddon, type NativeHeapWalk, type NativeHeapWalkOptions, type NativeHeapWalkResult, type NativeOsError, type NativeWalkProgress } from '../index'
import { startFixture, type RunningFixture } from './fixtures'
import { Session } from '../../src-main/core/session'
import type { ResponseEnvelope } from '../../src-common/contract/contract'

const addon = loadAddon()

interface HeapInfo {
  pid: number
  live: { ptr: string; size: number }[]
  freed: string[]
  extra: number
  threads: number[]
}

const ALL: Omit<NativeHeapWalkOptions, 'pid'> = { heapId: null, offset: 0, limit: Infinity, stopTarget: false }

function walk(pid: number, options: Partial<NativeHeapWalkOptions> = {}, onProgress?: (p: NativeWalkProgress) => void) {
  return addon.heapWalk({ pid, ...ALL, ...options }, onProgress)
}

async function rejection(promise: Promise<unknown>): Promise<NativeOsError> {
  try {
    await promise
  } catch (error) {
    return error as NativeOsError
  }
  throw new Error('expected the promise to reject')
}

/** address -> {size, flag, heap} over every returned block. */
function blockIndex(result: NativeHeapWalkResult) {
  const index = new Map<number, { size: number; flag: number; heapId: string }>()
  for (const heap of result.heaps) {
    for (let i = 0; i < heap.addresses.length; i++) index.set(heap.addresses[i], { size: heap.sizes[i], flag: heap.flags[i], heapId: heap.heapId })
  }
  return index
}

/** States of every thread of pid (from /proc/PID/task/TID/stat). */
function threadStates(pid: number): string[] {
  return fs.readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0]
  })
}

/** Sends a line to the fixture and resolves with the JSON line it answers. */
function ask(proc: ChildProcess, line: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let received = ''
    const timer = setTimeout(() => done(new Error(`no answer to ${line}`)), 5000)
    const onData = (chunk: Buffer) => {
      received += chunk.toString('utf8')
      const end = received.indexOf('\n')
      if (end >= 0) done(undefined, JSON.parse(received.slice(0, end)))
    }
    const done = (error?: Error, value?: unknown) => {
      clearTimeout(timer)
      proc.stdout!.off('data', onData)
      if (error) reject(error)
      else resolve(value)
    }
    proc.stdout!.on('data', onData)
    proc.stdin!.write(line + '\n')
  })
}

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length
}

describe('heap lists and walks of a glibc process', () => {
  let fixture: RunningFixture<HeapInfo>
  let full: NativeHeapWalkResult

  beforeAll(async () => {
    fixture = await startFixture<HeapInfo>('heap_fixture')
    full = await walk(fixture.info.pid).result
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  it('lists the main arena, the thread arenas and the mmapped blocks', async () => {
    const { pid } = fixture.info
    const snap = await addon.snapshot({ processes: false, threads: false, heapLists: true, pid })
    expect(snap.errors).toEqual([])
    const lists = snap.heapLists
    const main = lists.filter((h) => h.isDefault)
    expect(main).toHaveLength(1)
    expect(main[0]).toMatchObject({ pid, kind: 'main-arena', allocator: 'glibc', walkable: true })
    expect(main[0].heapId).toMatch(/^0x[0-9a-f]+$/)
    const heapLine = fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').find((l) => l.endsWith('[heap]'))!
    const [lo, hi] = heapLine.split(' ')[0].split('-').map((x) => parseInt(x, 16))
    expect(parseInt(main[0].baseAddress, 16)).toBe(lo)
    expect(main[0].size).toBe(hi - lo)

    const threadArenas = lists.filter((h) => h.kind === 'thread-arena')
    expect(threadArenas.length).toBeGreaterThanOrEqual(2)
    for (const arena of threadArenas) {
      expect(arena).toMatchObject({ isDefault: false, allocator: 'glibc', walkable: true })
      // malloc_state sits right after heap_info (0x30) in a 64 MiB-aligned heap
      expect(BigInt(arena.heapId) % (64n << 20n)).toBe(0x30n)
      expect(BigInt(arena.baseAddress)).toBe(BigInt(arena.heapId) - 0x30n)
      expect(arena.size).toBeGreaterThan(0)
    }
    const mmapped = lists.filter((h) => h.kind === 'mmapped')
    expect(mmapped).toHaveLength(1)
    expect(mmapped[0]).toMatchObject({ heapId: 'mmapped', walkable: true })
    expect(new Set(lists.map((h) => h.heapId)).size).toBe(lists.length)

    // The walk covers the same heaps, in the same order.
    expect(full.heaps.map((h) => h.heapId)).toEqual(lists.map((h) => h.heapId))
  })

  it('reports every live pointer as in use, with at least the size asked for', () => {
    expect(full.errors).toEqual([])
    expect(full.stopped).toBe(false)
    const index = blockIndex(full)
    for (const { ptr, size } of fixture.info.live) {
      const block = index.get(Number(ptr))
      expect(block, `live block ${ptr} (${size} bytes)`).toBeDefined()
      expect(block!.flag, `live block ${ptr}`).toBe(0)
      expect(block!.size).toBeGreaterThanOrEqual(size)
      // big blocks live in mappings of their own
      if (size > 128 * 1024) expect(block!.heapId).toBe('mmapped')
    }
  })

  it('reports freed pointers as free (tcache, fastbin, bins) or not at all (consolidated, unmapped)', () => {
    const index = blockIndex(full)
    let present = 0
    for (const ptr of fixture.info.freed) {
      const block = index.get(Number(ptr))
      if (block) {
        present++
        expect(block.flag, `freed block ${ptr}`).toBe(1)
      }
    }
    // Most freed blocks are cached or binned (present); some merged with a neighbour.
    expect(present).toBeGreaterThan(fixture.info.freed.length / 2)
    expect(present).toBeLessThan(fixture.info.freed.length)
  })

  it('keeps totals and histograms consistent', () => {
    let used = 0
    for (const heap of full.heaps) {
      const { summary } = heap
      const n = heap.addresses.length
      expect(heap.truncated).toBe(false)
      expect(heap.sizes).toHaveLength(n)
      expect(heap.flags).toHaveLength(n)
      expect(summary.blockCount).toBe(n)
      let fixedCount = 0
      let fixedBytes = 0
      let freeBytes = 0
      for (let i = 0; i < n; i++) {
        if (heap.flags[i] === 0) {
          fixedCount++
          fixedBytes += heap.sizes[i]
        } else {
          expect(heap.flags[i]).toBe(1)
          freeBytes += heap.sizes[i]
        }
        if (i > 0) expect(heap.addresses[i]).toBeGreaterThan(heap.addresses[i - 1] + heap.sizes[i - 1] - 1)
      }
      expect(summary.usedBlocks).toBe(fixedCount)
      expect(summary.usedBytes).toBe(fixedBytes)
      expect(summary.freeBlocks).toBe(n - fixedCount)
      expect(summary.freeBytes).toBe(freeBytes)
      used += summary.usedBlocks

      const hist = summary.histogram
      expect(hist.reduce((s, b) => s + b.count, 0)).toBe(summary.blockCount)
      expect(hist.reduce((s, b) => s + b.bytes, 0)).toBe(summary.usedBytes + summary.freeBytes)
      expect(hist[0]).toMatchObject({ minSize: 0, maxSize: 16 })
      for (let b = 1; b < hist.length; b++) {
        expect(hist[b].minSize).toBe(hist[b - 1].maxSize + 1)
        expect(hist[b].maxSize).toBe(hist[b - 1].maxSize * 2)
      }
      for (let i = 0; i < n; i++) {
        const bucket = hist.find((b) => heap.sizes[i] >= b.minSize && heap.sizes[i] <= b.maxSize)
        expect(bucket).toBeDefined()
      }
      expect(hist[hist.length - 1].count).toBeGreaterThan(0)
    }
    expect(used).toBeGreaterThanOrEqual(fixture.info.live.length)
    const top = full.heaps.find((h) => h.kind === 'main-arena')!
    // the top chunk is the last block, and it is free
    expect(top.flags[top.flags.length - 1]).toBe(1)
  })

  it('pages through a heap with offset and limit, counting every block in the summary', async () => {
    const { pid } = fixture.info
    const whole = full.heaps.find((h) => h.kind === 'main-arena')!
    const n = whole.addresses.length
    const slice = (h: NativeHeapWalk) => Array.from(h.addresses)
    for (const [offset, limit] of [
      [0, 10],
      [10, 25],
      [n - 5, 100],
      [n, 10],
      [0, 0]
    ]) {
      const paged = (await walk(pid, { heapId: whole.heapId, offset, limit }).result).heaps
      expect(paged).toHaveLength(1)
      const page = paged[0]
      expect(page.heapId).toBe(whole.heapId)
      expect(slice(page)).toEqual(Array.from(whole.addresses).slice(offset, offset + limit))
      expect(Array.from(page.sizes)).toEqual(Array.from(whole.sizes).slice(offset, offset + limit))
      expect(Array.from(page.flags)).toEqual(Array.from(whole.flags).slice(offset, offset + limit))
      expect(page.summary).toEqual(whole.summary)
      expect(page.truncated).toBe(page.addresses.length < n)
    }
    // Paging applies to each heap.
    const all = await walk(pid, { limit: 3 }).result
    expect(all.heaps.map((h) => h.heapId)).toEqual(full.heaps.map((h) => h.heapId))
    for (const heap of all.heaps) {
      expect(heap.addresses.length).toBe(Math.min(3, heap.summary.blockCount))
      expect(heap.truncated).toBe(heap.summary.blockCount > 3)
    }
  })

  it('walks one heap by id, "mmapped" included, and rejects an unknown id with ENOENT', async () => {
    const { pid } = fixture.info
    for (const heap of full.heaps) {
      const one = await walk(pid, { heapId: heap.heapId }).result
      expect(one.heaps.map((h) => h.heapId)).toEqual([heap.heapId])
      expect(one.heaps[0].summary.blockCount).toBe(heap.summary.blockCount)
    }
    const error = await rejection(walk(pid, { heapId: '0x1234' }).result)
    expect(error).toMatchObject({ code: 'ENOENT', pid, scope: 'heap' })
  })

  it('stops every thread for a consistent walk and lets the target run on afterwards', async () => {
    const { pid } = fixture.info
    const stopped = await walk(pid, { stopTarget: true }).result
    expect(stopped.stopped).toBe(true)
    expect(stopped.errors).toEqual([])
    // Nothing changed in between: the same blocks.
    for (const [i, heap] of stopped.heaps.entries()) {
      expect(Array.from(heap.addresses)).toEqual(Array.from(full.heaps[i].addresses))
      expect(Array.from(heap.flags)).toEqual(Array.from(full.heaps[i].flags))
    }
    expect(threadStates(pid).every((s) => s !== 't' && s !== 'T')).toBe(true)
    expect(await ask(fixture.proc, 'ping')).toEqual({ pong: 0 })
    expect(fixture.proc.exitCode).toBe(null)
  })

  it('rejects with EPERM when asked to stop its own process', async () => {
    const error = await rejection(walk(process.pid, { stopTarget: true, limit: 0 }).result)
    expect(error).toMatchObject({ code: 'EPERM', pid: process.pid, scope: 'heap' })
    expect(error.message).toMatch(/without stopTarget/)
  })

  it('rejects bad options synchronously with a TypeError', () => {
    const bad: unknown[] = [
      undefined,
      {},
      { ...ALL, pid: -1 },
      { ...ALL, pid: 1.5 },
      { ...ALL, pid: '1' },
      { ...ALL, pid: 1, heapId: 7 },
      { ...ALL, pid: 1, offset: -1 },
      { ...ALL, pid: 1, limit: 'all' },
      { ...ALL, pid: 1, stopTarget: 'yes' }
    ]
    for (const options of bad) {
      expect(() => addon.heapWalk(options as never), JSON.stringify(options)).toThrow(TypeError)
    }
    expect(() => addon.heapWalk({ ...ALL, pid: 1 }, 'progress' as never)).toThrow(TypeError)
  })

  it('rejects with ESRCH for a process that does not exist', async () => {
    const gone = spawn('true')
    await new Promise((resolve) => gone.once('exit', resolve))
    for (const pid of [gone.pid!, 0x7ffffff0]) {
      for (const stopTarget of [false, true]) {
        const error = await rejection(walk(pid, { stopTarget }).result)
        expect(error).toMatchObject({ code: 'ESRCH', pid, scope: 'heap' })
        expect(error.message).toBe(`process ${pid} does not exist`)
      }
    }
    await expect(addon.snapshot({ processes: false, threads: false, heapLists: true, pid: gone.pid! })).rejects.toMatchObject({
      code: 'ESRCH'
    })
  })

  it('leaks no file descriptors over 20 walks', async () => {
    const { pid } = fixture.info
    await walk(pid, { limit: 0 }).result // warm up (lazy loads, thread pool)
    const before = openFds()
    for (let i = 0; i < 20; i++) {
      await walk(pid, { limit: 10, stopTarget: i % 2 === 0 }).result
      await rejection(walk(pid, { heapId: 'nope' }).result)
    }
    expect(openFds()).toBe(before)
  })

  it('survives an onProgress that throws', async () => {
    const result = await walk(fixture.info.pid, { limit: 0 }, () => {
      throw new Error('from onProgress')
    }).result
    expect(result.heaps.length).toBeGreaterThanOrEqual(4)
  })
})

describe('heap walks of big and changing heaps', () => {
  let fixture: RunningFixture<HeapInfo> | undefined
  afterEach(async () => {
    await fixture?.stop()
    fixture = undefined
  })

  it('walks a 1,000,000-block heap (prints blocks/s) and reports progress', async () => {
    fixture = await startFixture<HeapInfo>('heap_fixture', ['--blocks', '1000000'])
    const { pid } = fixture.info
    const progress: NativeWalkProgress[] = []
    let best = { ms: Infinity, blocks: 0 }
    for (let run = 0; run < 3; run++) {
      const started = performance.now()
      const result = await walk(pid, { limit: 0 }, (p) => progress.push(p)).result
      const ms = performance.now() - started
      const blocks = result.heaps.reduce((s, h) => s + h.summary.blockCount, 0)
      if (ms < best.ms) best = { ms, blocks }
    }
    const startedFull = performance.now()
    const fullResult = await walk(pid).result
    const fullMs = performance.now() - startedFull
    const main = fullResult.heaps.find((h) => h.kind === 'main-arena')!
    expect(main.summary.usedBlocks).toBeGreaterThanOrEqual(1_000_000)
    expect(main.addresses.length).toBe(main.summary.blockCount)
    console.log(
      `heap walk: ${best.blocks} blocks in ${best.ms.toFixed(1)} ms = ${(best.blocks / best.ms / 1000).toFixed(1)} M blocks/s ` +
        `(summary only); with all blocks returned to JS: ${fullMs.toFixed(1)} ms = ${(best.blocks / fullMs / 1000).toFixed(1)} M blocks/s`
    )
    expect(progress.length).toBeGreaterThan(0)
    for (const p of progress) {
      expect(p.scannedBytes).toBeLessThanOrEqual(p.totalBytes)
      expect(p.totalBytes).toBeGreaterThan(32_000_000)
    }
  })

  it('rejects with ECANCELED when cancelled, and leaves a stopped target running', async () => {
    fixture = await startFixture<HeapInfo>('heap_fixture', ['--blocks', '2000000'])
    const { pid } = fixture.info
    const immediate = walk(pid)
    immediate.cancel()
    expect(await rejection(immediate.result)).toMatchObject({ code: 'ECANCELED', pid, scope: 'heap' })

    // Cancelled from the first progress report, mid-walk, with the target stopped: while the walk
    // runs, every thread is in a tracing stop.
    let during: string[] = []
    const handle = walk(pid, { stopTarget: true }, () => {
      if (during.length === 0) during = threadStates(pid)
      handle.cancel()
    })
    expect(await rejection(handle.result)).toMatchObject({ code: 'ECANCELED', pid })
    expect(during).toEqual(['t', 't', 't'])
    expect(threadStates(pid).every((s) => s !== 't' && s !== 'T')).toBe(true)
    expect(await ask(fixture.proc, 'ping')).toEqual({ pong: 0 })
  })

  for (const stopTarget of [false, true]) {
    it(`rejects with ESRCH (or reports an error) when the target exits mid-walk${stopTarget ? ', stopped' : ''}`, async () => {
      fixture = await startFixture<HeapInfo>('heap_fixture', ['--blocks', '3000000'])
      const { pid } = fixture.info
      const exited = new Promise((resolve) => fixture!.proc.once('exit', resolve))
      let killed = false
      const handle = walk(pid, { stopTarget, limit: 0 }, () => {
        if (!killed) {
          killed = true
          process.kill(pid, 'SIGKILL')
        }
      })
      let outcome: string
      try {
        const result = await handle.result
        outcome = `resolved with errors ${JSON.stringify(result.errors)}`
        expect(result.errors.length).toBeGreaterThan(0)
      } catch (error) {
        const e = error as NativeOsError
        outcome = `rejected ${e.code}: ${e.message}`
        expect(e).toMatchObject({ code: 'ESRCH', pid, scope: 'heap' })
        expect(e.message).toBe(`process ${pid} exited during the heap walk`)
      }
      expect(killed).toBe(true)
      // node still sees its child exit (the walk must not have reaped it)
      await exited
      console.log(`target killed mid-walk: ${outcome}`)
    })
  }

  it('finds the tcaches of threads that share an arena (M_ARENA_MAX=1)', async () => {
    fixture = await startFixture<HeapInfo>('heap_fixture', ['--arena-max', '1'])
    const { pid } = fixture.info
    const result = await walk(pid, { stopTarget: true }).result
    expect(result.errors).toEqual([])
    expect(result.heaps.map((h) => h.kind)).toEqual(['main-arena', 'mmapped'])
    const index = blockIndex(result)
    for (const { ptr, size } of fixture.info.live) {
      expect(index.get(Number(ptr))?.flag, `live block ${ptr}`).toBe(0)
      expect(index.get(Number(ptr))!.size).toBeGreaterThanOrEqual(size)
    }
    // The threads' tcache entries: free although their successors say in use.
    let present = 0
    for (const ptr of fixture.info.freed) {
      const block = index.get(Number(ptr))
      if (block) {
        present++
        expect(block.flag, `freed block ${ptr}`).toBe(1)
      }
    }
    expect(present).toBeGreaterThan(fixture.info.freed.length / 2)
    const main = result.heaps[0]
    expect(main.summary.usedBlocks).toBe(Array.from(main.flags).filter((f) => f === 0).length)
  })

  it('sees blocks leaked on SIGUSR1', async () => {
    fixture = await startFixture<HeapInfo>('heap_fixture', ['--leak', '1000', '--leak-size', '48'])
    const { pid } = fixture.info
    const used = async () => (await walk(pid, { limit: 0 }).result).heaps.reduce((s, h) => s + h.summary.usedBlocks, 0)
    const before = await used()
    process.kill(pid, 'SIGUSR1')
    await expect.poll(() => ask(fixture!.proc, 'ping')).toEqual({ pong: 1 })
    expect((await used()) - before).toBeGreaterThanOrEqual(1000)
  })
})

describe('allocators it cannot walk', () => {
  // A statically linked glibc program: no libc.so mapping, so the allocator is not identified.
  let staticBinary: string | null = null
  let skipReason = ''
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-heap-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  try {
    staticBinary = path.join(dir, 'heap_fixture_static')
    const source = path.join(__dirname, 'fixtures', 'heap_fixture.c')
    execFileSync('cc', ['-static', '-O2', '-pthread', '-o', staticBinary, source], { stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    staticBinary = null
    skipReason = `cannot link a static binary (is libc.a installed? apt-get install libc6-dev): ${(error as Error).message}`
    console.warn(`skipping the static-binary heap test: ${skipReason}`)
  }

  it.skipIf(staticBinary === null)('lists regions and rejects the walk with ENOTSUP for a static binary', async () => {
    const proc = spawn(staticBinary!, [], { stdio: ['pipe', 'pipe', 'inherit'] })
    proc.stdin!.on('error', () => {})
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let text = ''
        proc.stdout!.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8')
          if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')))
        })
        proc.once('exit', () => reject(new Error('the static fixture exited')))
      })
      const { pid } = JSON.parse(line) as HeapInfo
      const snap = await addon.snapshot({ processes: false, threads: false, heapLists: true, pid })
      expect(snap.errors).toEqual([])
      expect(snap.heapLists.length).toBeGreaterThan(0)
      for (const heap of snap.heapLists) {
        expect(heap).toMatchObject({ kind: 'region', allocator: 'unknown', walkable: false, isDefault: false })
        expect(heap.note).toMatch(/static binary/)
      }
      expect(snap.heapLists.some((h) => h.note.startsWith('[heap]'))).toBe(true)
      const error = await rejection(walk(pid).result)
      expect(error).toMatchObject({ code: 'ENOTSUP', pid, scope: 'heap' })
      expect(error.message).toMatch(/can't be walked/)
    } finally {
      proc.stdin!.end()
      proc.kill('SIGTERM')
    }
  })
})

describe('permissions', () => {
  // Root here: the walk is made from a second node process that runs as nobody.
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((f) => fs.existsSync(f))
  const canTest = process.getuid?.() === 0 && setpriv !== undefined
  if (!canTest) console.warn('skipping the permission test: it needs root and setpriv (util-linux) to run a walker as nobody')

  it.skipIf(!canTest)('reports EACCES / EPERM with what was being read when the target is not ours', async () => {
    const fixture = await startFixture<HeapInfo>('heap_fixture')
    try {
      const { pid } = fixture.info
      const script = `
        const addon = require(${JSON.stringify(addonPath())})
        ;(async () => {
          const out = {}
          for (const stopTarget of [false, true]) {
            try { await addon.heapWalk({ pid: ${pid}, heapId: null, offset: 0, limit: 0, stopTarget }).result; out[stopTarget] = 'resolved' }
            catch (e) { out[stopTarget] = { code: e.code, scope: e.scope, pid: e.pid, message: e.message } }
          }
          const snap = await addon.snapshot({ processes: false, threads: false, heapLists: true, pid: ${pid} })
          out.snapshot = snap.errors
          console.log(JSON.stringify(out))
        })()`
      const output = execFileSync(setpriv!, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], {
        encoding: 'utf8',
        timeout: 20_000
      })
      const out = JSON.parse(output.trim()) as Record<string, unknown>
      expect(out.false).toMatchObject({ code: 'EACCES', scope: 'heap', pid })
      expect((out.false as { message: string }).message).toMatch(new RegExp(`/proc/${pid}/maps`))
      expect(out.true).toMatchObject({ code: 'EPERM', scope: 'heap', pid })
      expect((out.true as { message: string }).message).toMatch(/PTRACE_SEIZE.*without stopTarget/)
      expect(out.snapshot).toEqual([expect.objectContaining({ pid, scope: 'heaplist', code: 'EACCES' })])
      // the failed attempt left the target alone
      expect(threadStates(pid).every((s) => s !== 't' && s !== 'T')).toBe(true)
      expect(await ask(fixture.proc, 'ping')).toEqual({ pong: 0 })
    } finally {
      await fixture.stop()
    }
  })
})

/** CPU seconds this process has used so far (utime + stime of /proc/self/stat: every thread, the walk's pool thread included). */
function cpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime (fields 14, 15) in USER_HZ ticks
}

/** CPU seconds used over the next `ms` milliseconds (the event loop sleeps meanwhile). */
async function cpuOver(ms: number): Promise<number> {
  const before = cpuSeconds()
  await new Promise((resolve) => setTimeout(resolve, ms))
  return cpuSeconds() - before
}

interface HostileInfo {
  pid: number
  structs: string[]
  fastbin: string | null
}

describe('heaps shaped against the walker', () => {
  let fixture: RunningFixture<HostileInfo> | undefined
  afterEach(async () => {
    await fixture?.stop()
    fixture = undefined
  })

  // 64 fake tcaches, each of 64 bins claiming 65,535 entries that loop back on themselves: a walk
  // believing them made 4 M steps a struct (11.6 s for one, > 300 s for 64).
  for (const tcacheCount of [7, 65535]) {
    it(`walks 64 fake tcaches with looping bins in bounded work (glibc.malloc.tcache_count=${tcacheCount})`, async () => {
      fixture = await startFixture<HostileInfo>('hostile_heap', ['--structs', '64', '--fastbin-loop'], {
        env: { GLIBC_TUNABLES: `glibc.malloc.tcache_count=${tcacheCount}` }
      })
      const { pid } = fixture.info
      const cpu = cpuSeconds()
      const result = await walk(pid, { stopTarget: true }).result
      const used = cpuSeconds() - cpu
      console.log(`hostile heap (tcache_count ${tcacheCount}): walked in ${used.toFixed(2)} CPU s, errors: ${result.errors.length}`)
      expect(used).toBeLessThan(5)
      const messages = result.errors.map((e) => e.message)
      if (tcacheCount === 7) {
        // More entries than glibc puts in a bin: not tcaches at all, and said so once.
        expect(messages).toContain(
          "64 in-use blocks of a tcache's size look like tcaches but claim more entries than glibc puts in a bin (7): they count as the program's data"
        )
        // The real fastbin chunk whose fd points at itself.
        expect(messages.some((m) => /^fastbin 1 of arena 0x[0-9a-f]+ comes back to the chunk at /.test(m) && m.includes('a cycle'))).toBe(true)
      } else {
        // Believable counts: each fake is followed to its first revisit, reported (16 messages, then a count).
        const cycles = messages.filter((m) => /^tcache 0x[0-9a-f]+: 64 bins are corrupt .*comes back to the chunk at .*a cycle/.test(m))
        expect(cycles.length).toBeGreaterThan(8)
        expect(messages[messages.length - 1]).toMatch(/^and \d+ more problems with the free lists$/)
      }
      // The fakes' "entries" are not chunks of the heap: the totals stay those of the walk.
      const main = result.heaps.find((h) => h.kind === 'main-arena')!
      expect(main.summary.usedBlocks).toBe(Array.from(main.flags).filter((f) => f === 0).length)
      const index = blockIndex(result)
      for (const struct of fixture.info.structs) expect(index.get(Number(struct))?.flag, `fake tcache ${struct}`).toBe(0)
    })
  }

  it('finds the tcaches of threads in 0x2a0 chunks (GLIBC_TUNABLES=glibc.malloc.arena_max=1)', async () => {
    const shared = await startFixture<HeapInfo>('heap_fixture', ['--odd-tcache'], { env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=1' } })
    try {
      const result = await walk(shared.info.pid, { stopTarget: true }).result
      expect(result.errors).toEqual([])
      expect(result.heaps.map((h) => h.kind)).toEqual(['main-arena', 'mmapped'])
      const index = blockIndex(result)
      let present = 0
      for (const ptr of shared.info.freed) {
        const block = index.get(Number(ptr))
        if (block) {
          present++
          expect(block.flag, `freed block ${ptr}`).toBe(1)
        }
      }
      expect(present).toBeGreaterThan(shared.info.freed.length / 2)
    } finally {
      await shared.stop()
    }
  })
})

describe('cancel over a session stops the native work', () => {
  let fixture: RunningFixture<{ pid: number }> | undefined
  afterEach(async () => {
    await fixture?.stop()
    fixture = undefined
  })

  async function mainHeapId(pid: number): Promise<string> {
    const snap = await addon.snapshot({ processes: false, threads: false, heapLists: true, pid })
    return snap.heapLists.find((h) => h.isDefault)!.heapId
  }

  /** Opens the main heap in a new session; `end` cancels the request by its id or closes the session. */
  async function openAndEnd(pid: number, end: 'cancel' | 'close', when: 'progress' | number) {
    let progressed: () => void = () => {}
    const progress = new Promise<void>((resolve) => (progressed = resolve))
    const session = new Session({ addon, mode: 'browser', version: 'test' }, (message) => {
      if ('event' in message && message.sub === 1 && message.event === 'heap.progress') progressed()
    })
    try {
      const answer = session.handle({ id: 1, channel: 'heap.open', payload: { viewId: 7, pid, heapId: await mainHeapId(pid) } })
      await (when === 'progress' ? progress : new Promise((resolve) => setTimeout(resolve, when)))
      if (end === 'cancel') {
        // The protocol's cancel: the request's id, no channel of its own.
        session.receive({ cancel: 1 })
      } else {
        session.close()
      }
      // The answer comes (cancelled, or the walk was done already), and the CPU goes quiet.
      const settled = await Promise.race([answer, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000))])
      expect(settled, `the walk answered after ${end}`).not.toBeNull()
      const spent = await cpuOver(1000)
      expect(spent, `CPU seconds in the second after ${end}`).toBeLessThan(0.5)
      return settled as ResponseEnvelope
    } finally {
      session.close()
    }
  }

  for (const end of ['cancel', 'close'] as const) {
    it(`${end === 'cancel' ? 'cancel {id}' : 'closing the session'} stops the walk of a hostile heap`, async () => {
      // Fake tcaches with believable counts: walked unbounded, this ran for minutes whatever the cancel.
      fixture = await startFixture('hostile_heap', ['--structs', '64'], { env: { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=65535' } })
      const answer = await openAndEnd(fixture.info.pid, end, 200)
      if (!answer.ok) expect(answer.error.code).toBe('ECANCELED')
    })

    it(`${end === 'cancel' ? 'cancel {id}' : 'closing the session'} stops a long walk mid-way`, async () => {
      fixture = await startFixture('heap_fixture', ['--blocks', '2000000'])
      const answer = await openAndEnd(fixture.info.pid, end, 'progress')
      expect(answer).toMatchObject({ ok: false, error: { code: 'ECANCELED' } })
    })
  }

  it('refuses a walk once the session is closed', async () => {
    const session = new Session({ addon, mode: 'browser', version: 'test' }, () => {})
    session.close()
    const answer = await session.handle({ id: 1, channel: 'heap.open', payload: { viewId: 1, pid: process.pid, heapId: '0x1' } })
    expect(answer).toMatchObject({ ok: false, error: { code: 'ECANCELED' } })
  })
})
