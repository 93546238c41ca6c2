// Races: processes and threads that exit, exec or are born during every kind of read (snapshots,
// module lists, heap lists, memory regions, heap walks with and without stopTarget, watch starts),
// targets killed in the middle of them, and an inspector killed during a stopped walk. Whatever
// happens, each call either succeeds (possibly with `errors` entries) or fails with an OS code that
// says what happened; nothing crashes, nothing hangs, no helper process is left behind, and a target
// is never left stopped.
//
// Fixtures: exec_loop (execs itself ~500 times a second, every other time from a non-main thread),
// churn (children and threads born and gone without pause), leader_exit (its main thread has exited,
// the others run on), heap_fixture (a big glibc heap, so that a walk takes long enough to be
// interrupted).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { addonPath, loadAddon, type NativeError, type NativeHeapWalkResult, type NativeOsError, type NativeWatchEnd } from '../index'
import { buildFixture, startFixture, type RunningFixture } from './fixtures'

const addon = loadAddon()
const ROUNDS = Number(process.env.SNAPSCOPE_RACE_ROUNDS ?? 1)
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const running: RunningFixture<unknown>[] = []
async function fixture<T extends { pid: number }>(name: string, args: string[] = []): Promise<RunningFixture<T>> {
  const f = await startFixture<T>(name, args)
  running.push(f)
  return f
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.stop()))
})

// ---- what a target and the inspector look like from /proc ----

interface ThreadState {
  tid: number
  state: string
  tracerPid: number
}

/** State letter and TracerPid of every thread of pid; [] when it is gone. */
function threadStates(pid: number): ThreadState[] {
  let tids: string[]
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
  const out: ThreadState[] = []
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')
      out.push({ tid: Number(tid), state: stat.slice(stat.lastIndexOf(')') + 2)[0], tracerPid: Number(/TracerPid:\s+(\d+)/.exec(status)?.[1] ?? 0) })
    } catch {
      // exited meanwhile
    }
  }
  return out
}

/** Threads of pid that are stopped (t: ptrace-stop, T: group-stop) or still traced. */
function heldThreads(pid: number): ThreadState[] {
  return threadStates(pid).filter((t) => t.state === 't' || t.state === 'T' || t.tracerPid !== 0)
}

/** Waits until no thread of pid is stopped or traced; returns the ones still held after `ms`. */
async function waitReleased(pid: number, ms = 3000): Promise<ThreadState[]> {
  const deadline = Date.now() + ms
  for (;;) {
    const held = heldThreads(pid)
    if (held.length === 0 || Date.now() > deadline) return held
    await sleep(20)
  }
}

function parentOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return -1
  }
}

/** Children of `parent` that are node (not exec'd): the stop helpers a heap walk forks. */
function nodeChildren(parent: number): number[] {
  const out: number[] = []
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || parentOf(Number(name)) !== parent) continue
    try {
      if (fs.readlinkSync(`/proc/${name}/exe`) === process.execPath) out.push(Number(name))
    } catch {
      // gone, or a kernel thread
    }
  }
  return out
}

/**
 * The exec count of an exec_loop (its --generation argument), or -1 once it is gone. Mid-exec the
 * cmdline reads empty or fails, and on a busy machine an exec stalls for tens of milliseconds while
 * the threads it ends wait for a CPU to exit on: it asks again until the new image answers.
 */
async function generation(pid: number): Promise<number> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      if (args.length >= 2) {
        const at = args.indexOf('--generation')
        return at < 0 ? 0 : Number(args[at + 1])
      }
    } catch {
      if (!fs.existsSync(`/proc/${pid}`)) return -1
    }
    await sleep(1)
  }
  return -1
}

/** utime + stime of pid in clock ticks: it grows only while the process runs. */
function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) // fields 14 and 15 of proc(5), counted from (3)
}

async function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: NativeOsError }> {
  try {
    return { value: await promise }
  } catch (error) {
    return { error: error as NativeOsError }
  }
}

/** A rejection that is a proper OS error: a known code, the pid and the scope set, and a message. */
function expectOsError(error: NativeOsError, pid: number, scope: string | string[], codes: string[]): void {
  expect(error, `${error?.message}`).toBeInstanceOf(Error)
  expect(codes, `${error.code}: ${error.message}`).toContain(error.code)
  expect(error.pid).toBe(pid)
  expect(typeof scope === 'string' ? [scope] : scope).toContain(error.scope)
  expect(error.message.length).toBeGreaterThan(0)
}

function expectEntries(errors: NativeError[], codes: string[]): void {
  for (const e of errors) {
    expect(codes, `${e.scope} ${e.code}: ${e.message}`).toContain(e.code)
    expect(e.message.length).toBeGreaterThan(0)
  }
}

/** Busy-waits a few microseconds: kills land at varied points of a read running on a pool thread. */
function spinUs(us: number): void {
  const end = performance.now() + us / 1000
  while (performance.now() < end) {
    // spin
  }
}

const tally = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)
const show = (map: Map<string, number>) => [...map].map(([k, v]) => `${k} ×${v}`).join(', ')

beforeAll(() => {
  for (const name of ['exec_loop', 'churn', 'leader_exit', 'heap_fixture']) buildFixture(name)
})

describe('a process that execs itself during every kind of read', () => {
  it('snapshots with its module and heap lists: each resolves, with ESRCH entries at worst', async () => {
    const loop = await fixture<{ pid: number }>('exec_loop', ['--threads', '3'])
    const { pid } = loop.info
    const codes = new Map<string, number>()
    let modulesSeen = 0
    const startGeneration = await generation(pid)
    // 60 snapshots, and on until the loop has exec'd a few times during them (a loaded machine can
    // starve it for the first 60): the reads must have met execs for the test to mean anything.
    const deadline = Date.now() + 60_000
    let snapshots = 0
    for (; snapshots < 60 * ROUNDS || ((await generation(pid)) <= startGeneration + 2 && Date.now() < deadline); snapshots++) {
      const snap = await addon.snapshot({ processes: true, threads: true, modules: true, heapLists: true, pid })
      const own = snap.errors.filter((e) => e.pid === pid)
      expectEntries(own, ['ESRCH'])
      for (const e of own) tally(codes, `${e.scope}:${e.code}`)
      const self = snap.processes.find((p) => p.pid === pid)
      if (self) {
        // whatever image it had when read: the exec_loop binary, its threads the process's own
        expect(self.exeFile).toBe('exec_loop')
        for (const t of snap.threads.filter((t) => t.ownerPid === pid)) expect(t.tid).toBeGreaterThan(0)
      }
      for (const m of snap.modules) {
        expect(m.pid).toBe(pid)
        expect(m.baseAddress).toMatch(/^0x[0-9a-f]+$/)
        expect(m.baseSize).toBeGreaterThan(0)
        expect(m.baseSize).toBeLessThan(1 << 30)
      }
      if (snap.modules.some((m) => m.moduleName === 'exec_loop')) modulesSeen++
      for (const h of snap.heapLists) expect(h.pid).toBe(pid)
    }
    expect(await generation(pid)).toBeGreaterThan(startGeneration + 2) // it really did exec throughout
    expect(modulesSeen).toBeGreaterThan(0)
    console.log(`exec_loop snapshots: ${modulesSeen}/${snapshots} with its image listed; entries: ${show(codes) || 'none'}`)
  })

  it('memory regions: each call resolves with ordered, non-overlapping regions or rejects with ESRCH', async () => {
    const loop = await fixture<{ pid: number }>('exec_loop', ['--threads', '3'])
    const { pid } = loop.info
    for (let i = 0; i < 100 * ROUNDS; i++) {
      const r = await outcome(addon.memoryRegions(pid))
      if (r.error) {
        expectOsError(r.error, pid, 'regions', ['ESRCH'])
        continue
      }
      const regions = r.value!
      for (let k = 0; k < regions.length; k++) {
        expect(BigInt(regions[k].start) < BigInt(regions[k].end)).toBe(true)
        if (k > 0) expect(BigInt(regions[k - 1].end) <= BigInt(regions[k].start)).toBe(true)
      }
    }
  })

  it('heap walks, stopped and not: resolve, or fail with a code that says why; it is never left stopped', async () => {
    const loop = await fixture<{ pid: number }>('exec_loop', ['--threads', '3', '--blocks', '5000'])
    const { pid } = loop.info
    const outcomes = new Map<string, number>()
    for (let i = 0; i < 40 * ROUNDS; i++) {
      const stopTarget = i % 2 === 1
      const r = await outcome(addon.heapWalk({ pid, heapId: null, offset: 0, limit: 100, stopTarget }).result)
      if (r.error) {
        // ESRCH: the image went away mid-read (an exec tears down the whole address space).
        // ENOTSUP: read between an exec and ld.so mapping libc: no allocator can be identified yet.
        expectOsError(r.error, pid, 'heap', ['ESRCH', 'ENOTSUP'])
        tally(outcomes, `${stopTarget ? 'stopped ' : ''}${r.error.code}`)
      } else {
        const result = r.value as NativeHeapWalkResult
        expectEntries(result.errors, ['EIO', 'ETIMEDOUT'])
        tally(outcomes, `${stopTarget ? 'stopped ' : ''}ok${result.errors.length ? ' with entries' : ''}`)
        if (!stopTarget) expect(result.stopped).toBe(false)
      }
      expect(await waitReleased(pid)).toEqual([])
    }
    expect(nodeChildren(process.pid)).toEqual([]) // every stop helper was reaped
    const before = await generation(pid)
    // Still execing, nothing holds it (on a busy machine one exec can take over 100 ms).
    await expect.poll(() => generation(pid), { timeout: 5000, interval: 20 }).toBeGreaterThan(before)
    console.log(`exec_loop heap walks: ${show(outcomes)}`)
  })

  it('a watch follows it across execs, and starts during execs either work or throw ESRCH', async () => {
    const loop = await fixture<{ pid: number }>('exec_loop', ['--threads', '2'])
    const { pid } = loop.info
    let faults = 0
    let ended: NativeWatchEnd | undefined
    const handle = addon.startWatch({ pid }, (b) => (faults += b.pc.length), (e) => (ended = e))
    expect(handle.mechanism).toBe('perf-page-faults')
    const startGeneration = await generation(pid)
    await sleep(500)
    expect((await generation(pid)) - startGeneration).toBeGreaterThan(5)
    handle.stop()
    await expect.poll(() => ended, { timeout: 5000 }).toEqual({ reason: 'stopped' })
    expect(faults).toBeGreaterThan(0) // faults of the later images are seen too
    for (let i = 0; i < 20 * ROUNDS; i++) {
      let end: NativeWatchEnd | undefined
      try {
        const h = addon.startWatch({ pid, mechanism: i % 3 === 2 ? 'pagemap-diff' : 'auto' }, () => {}, (e) => (end = e))
        h.stop()
        await expect.poll(() => end, { timeout: 5000 }).toBeDefined()
        expect(['stopped', 'target-exited']).toContain(end!.reason)
      } catch (error) {
        expectOsError(error as NativeOsError, pid, 'watch', ['ESRCH'])
      }
    }
  })

  it('each watch started during execs sees the faults of the images that follow', async () => {
    // An exec from a non-main thread during the start used to hand the pid to a thread without events:
    // the watch then ran on, seeing nothing at all (a 0 here, with execs counted meanwhile). Under CPU
    // load about 1 start in 200 did; with the leader check 1 in 1,200 still did (events open, enabled,
    // never hung up, never counting: cause not found), which the check of the first fault now covers.
    const loop = await fixture<{ pid: number }>('exec_loop', ['--threads', '2', '--max-delay-us', '500'])
    const { pid } = loop.info
    const blind: number[] = []
    for (let i = 0; i < 20 * ROUNDS; i++) {
      let faults = 0
      let end: NativeWatchEnd | undefined
      let h: ReturnType<typeof addon.startWatch>
      try {
        h = addon.startWatch({ pid, batchMs: 5 }, (b) => (faults += b.pc.length), (e) => (end = e))
      } catch (error) {
        expectOsError(error as NativeOsError, pid, 'watch', ['ESRCH'])
        continue
      }
      const from = await generation(pid)
      expect(from).toBeGreaterThanOrEqual(0)
      // Two execs after the start: an image started and faulted entirely while watched.
      await expect.poll(() => generation(pid), { timeout: 10_000, interval: 2 }).toBeGreaterThanOrEqual(from + 2)
      h.stop()
      await expect.poll(() => end, { timeout: 5000 }).toEqual({ reason: 'stopped' })
      if (faults === 0) blind.push(i)
    }
    expect(blind, 'watches that saw no fault while the target exec\'d twice').toEqual([])
  }, 30_000 * ROUNDS)
})

describe('threads born and gone during reads (churn)', () => {
  it('stopped heap walks of a process that creates threads without pause always let it go', async () => {
    const churn = await fixture<{ pid: number }>('churn')
    const { pid } = churn.info
    const outcomes = new Map<string, number>()
    for (let i = 0; i < 20 * ROUNDS; i++) {
      const r = await outcome(addon.heapWalk({ pid, heapId: null, offset: 0, limit: 0, stopTarget: true }).result)
      if (r.error) {
        expectOsError(r.error, pid, 'heap', ['ESRCH'])
        tally(outcomes, r.error.code)
      } else {
        expectEntries(r.value!.errors, ['EIO', 'ETIMEDOUT'])
        tally(outcomes, r.value!.stopped ? 'stopped' : 'not all stopped')
      }
      expect(await waitReleased(pid)).toEqual([])
    }
    expect(nodeChildren(process.pid)).toEqual([])
    console.log(`churn stopped walks: ${show(outcomes)}`)
  })

  it('watches started while threads come and go see their faults and end cleanly', async () => {
    const churn = await fixture<{ pid: number }>('churn')
    for (let i = 0; i < 10 * ROUNDS; i++) {
      let end: NativeWatchEnd | undefined
      let faults = 0
      const h = addon.startWatch({ pid: churn.info.pid, batchMs: 5 }, (b) => (faults += b.pc.length), (e) => (end = e))
      await expect.poll(() => faults, { timeout: 5000, interval: 5 }).toBeGreaterThan(0)
      h.stop()
      await expect.poll(() => end, { timeout: 5000 }).toEqual({ reason: 'stopped' })
      expect(faults).toBeGreaterThan(0)
    }
  })
})

describe('a process whose main thread has exited (its other threads run on)', () => {
  // The kernel keeps the main thread as a zombie, and /proc/PID/maps, /proc/PID/pagemap and
  // process_vm_readv(PID) all go through it: without care, the process looks exited (or empty).
  it('is read like any live process: modules, regions, heap walks (stopped too), watches', async () => {
    const f = await fixture<{ pid: number; tid: number }>('leader_exit')
    const { pid } = f.info
    expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/State:\s+Z/)
    const snap = await addon.snapshot({ processes: true, threads: true, modules: true, heapLists: true, pid })
    expect(snap.errors.filter((e) => e.pid === pid)).toEqual([])
    expect(snap.modules.map((m) => m.moduleName)).toEqual(expect.arrayContaining(['leader_exit', 'libc.so.6']))
    expect(snap.heapLists.some((h) => h.kind === 'main-arena' && h.walkable)).toBe(true)
    expect(snap.threads.some((t) => t.tid === f.info.tid)).toBe(true)
    const regions = await addon.memoryRegions(pid)
    expect(regions.some((r) => r.kind === 'image' && r.path.endsWith('/leader_exit'))).toBe(true)
    for (const stopTarget of [false, true]) {
      const walk = await addon.heapWalk({ pid, heapId: null, offset: 0, limit: 0, stopTarget }).result
      expect(walk.errors).toEqual([])
      expect(walk.stopped).toBe(stopTarget)
      expect(walk.heaps.find((h) => h.kind === 'main-arena')!.summary.blockCount).toBeGreaterThan(0)
      expect(await waitReleased(pid)).toEqual([])
    }
    for (const mechanism of ['auto', 'pagemap-diff']) {
      let faults = 0
      let end: NativeWatchEnd | undefined
      const h = addon.startWatch({ pid, mechanism, batchMs: 10 }, (b) => (faults += b.pc.length), (e) => (end = e))
      await expect.poll(() => faults, { timeout: 5000, interval: 10 }).toBeGreaterThan(0)
      h.stop()
      await expect.poll(() => end, { timeout: 5000 }).toEqual({ reason: 'stopped' })
    }
  })
})

describe('a target killed during a read', () => {
  // Each read against a fresh target that is SIGKILLed a few microseconds to a few milliseconds after
  // the read began (the read runs on a pool thread meanwhile).
  type Read = (pid: number) => Promise<{ errors?: NativeError[] } | unknown>
  // A snapshot checks first that the pid exists (scope "process"), then reads the list.
  const reads: [string, string | string[], Read][] = [
    ['module list', ['process', 'modules'], async (pid) => addon.snapshot({ processes: false, threads: false, modules: true, pid })],
    ['heap list', ['process', 'heaplist'], async (pid) => addon.snapshot({ processes: false, threads: false, heapLists: true, pid })],
    ['memory regions', 'regions', (pid) => addon.memoryRegions(pid)],
    ['memory map', 'memorymap', (pid) => addon.memoryMap(pid)],
    ['heap walk', 'heap', (pid) => addon.heapWalk({ pid, heapId: null, offset: 0, limit: 1000, stopTarget: false }).result],
    ['stopped heap walk', 'heap', (pid) => addon.heapWalk({ pid, heapId: null, offset: 0, limit: 1000, stopTarget: true }).result],
    [
      'watch start',
      'watch',
      async (pid) => {
        let end: NativeWatchEnd | undefined
        const h = addon.startWatch({ pid }, () => {}, (e) => (end = e))
        await expect.poll(() => end, { timeout: 5000 }).toBeDefined() // the target dies: it ends by itself
        h.stop()
        return end
      }
    ]
  ]

  for (const [name, scope, read] of reads) {
    it(`${name}: resolves or rejects with ESRCH, and leaves nothing behind`, async () => {
      const outcomes = new Map<string, number>()
      for (let i = 0; i < 12 * ROUNDS; i++) {
        const target = await startFixture<{ pid: number }>('heap_fixture', ['--blocks', '200000'])
        const { pid } = target.info
        const exited = new Promise((resolve) => target.proc.once('exit', resolve))
        let pending: Promise<unknown>
        try {
          pending = read(pid)
        } catch (error) {
          pending = Promise.reject(error) // a synchronous throw (watch start) counts the same
        }
        spinUs((i * 397) % 3000)
        process.kill(pid, 'SIGKILL')
        const r = await outcome(pending)
        if (r.error) {
          expectOsError(r.error, pid, scope, ['ESRCH'])
          tally(outcomes, r.error.code)
        } else {
          const value = r.value as { errors?: NativeError[]; reason?: string }
          if (value?.errors) expectEntries(value.errors, ['ESRCH', 'EIO'])
          if (value?.reason) expect(['target-exited', 'stopped']).toContain(value.reason)
          tally(outcomes, value?.reason ?? (value?.errors?.length ? `ok with ${value.errors.map((e) => e.code).join('+')}` : 'ok'))
        }
        await exited // node still sees its child die: no walk reaped it
        await target.stop()
      }
      expect(nodeChildren(process.pid)).toEqual([])
      console.log(`${name}, target killed mid-read: ${show(outcomes)}`)
    })
  }
})

describe('an inspector killed during a stopped walk', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-races-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  // Walks the target with stopTarget; prints "walking" at the first progress report (every thread of
  // the target is then in a ptrace-stop), or "started" right away for a kill at a random moment.
  const script = path.join(dir, 'walker.cjs')
  fs.writeFileSync(
    script,
    `const addon = require(process.env.SNAPSCOPE_ADDON)
const pid = Number(process.argv[2])
let said = false
function walk() {
  addon.heapWalk({ pid, heapId: null, offset: 0, limit: 0, stopTarget: true }, () => {
    if (!said) { said = true; console.log('walking') }
  }).result.then(walk, (e) => { console.log('error ' + e.code); walk() })
}
console.log('started')
walk()
`
  )

  function startWalker(pid: number) {
    const proc = spawn(process.execPath, [script, String(pid)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SNAPSCOPE_ADDON: addonPath() } })
    let out = ''
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    const said = async (word: string, ms = 15_000) => {
      const deadline = Date.now() + ms
      while (!out.includes(word)) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`walker: no "${word}" in ${JSON.stringify(out)}`)
        await sleep(5)
      }
    }
    return { proc, exited, said, output: () => out }
  }

  it('SIGKILL mid-walk: every thread of the target runs again, untraced, and the helper is gone', async () => {
    const target = await fixture<{ pid: number }>('heap_fixture', ['--blocks', '3000000'])
    const { pid } = target.info
    for (let i = 0; i < 3 * ROUNDS; i++) {
      const walker = startWalker(pid)
      await walker.said('walking')
      const held = heldThreads(pid)
      expect(held.length, 'the target is stopped while the walk runs').toBe(threadStates(pid).length)
      const helper = held[0].tracerPid
      expect(parentOf(helper)).toBe(walker.proc.pid) // the tracer is the walker's helper, not the walker
      walker.proc.kill('SIGKILL')
      await walker.exited
      expect(await waitReleased(pid), 'threads still stopped or traced after the inspector died').toEqual([])
      await expect.poll(() => fs.existsSync(`/proc/${helper}`), { timeout: 3000 }).toBe(false)
      expect(threadStates(pid).every((t) => t.state !== 'Z')).toBe(true)
    }
    target.proc.stdin!.write('ping\n') // it still answers: it runs
    const pong = await new Promise<string>((resolve) => target.proc.stdout!.once('data', (d: Buffer) => resolve(d.toString())))
    expect(JSON.parse(pong)).toEqual({ pong: 0 })
  })

  it('SIGKILL at random moments (while threads are being seized too) of a target that keeps creating threads', async () => {
    const churn = await fixture<{ pid: number }>('churn')
    const { pid } = churn.info
    for (let i = 0; i < 8 * ROUNDS; i++) {
      const walker = startWalker(pid)
      await walker.said('started')
      await sleep(20 + ((i * 37) % 120))
      walker.proc.kill('SIGKILL')
      await walker.exited
      expect(await waitReleased(pid), `round ${i}: threads still stopped or traced`).toEqual([])
    }
    // It still runs: its CPU time keeps growing.
    const before = cpuTicks(pid)
    await sleep(200)
    expect(cpuTicks(pid)).toBeGreaterThan(before)
  })
})
