// `npm run soak [-- SECONDS]` (default 600 s; SOAK_SECONDS works too; `npm test` runs a short one):
// the inspector under sustained load, checking that its own fds, threads and memory stay flat.
//
// Load, all at once, for the whole duration:
//   - a full snapshot (processes, threads, and the modules + heap list of a churning process) every 100 ms;
//   - a continuous working-set watch of `churn` (forks a batch of children and starts a batch of
//     threads that end at once, without pause: threads are born and die under the watch), through the
//     core's WsWatchSession (module attribution, map refreshes), and a raw watch of `watch_toucher
//     --stream` faulting at full speed on one thread;
//   - heap walks, back to back, alternately with and without stopTarget, of `heap_fixture --leak`
//     (a SIGUSR1 before each walk leaks 500 more blocks; the fixture is replaced by a new process
//     every 20 s, so walks also meet a target that exits) and of the churning process itself.
// Every 5 s the load pauses until nothing is in flight (the watches keep running) and the inspector's
// fd count (/proc/self/fd), thread count (/proc/self/task) and RSS are sampled at that quiet point,
// after a GC (node --expose-gc). After a warm-up (the first 20 % of the run, at least 10 s, so that
// every lazily created thread and cache exists), the run fails if
//   - the fd count or the thread count at any quiet point differs from the first one after warm-up;
//   - RSS grows more than RSS_BOUND_MIB above the first quiet point after warm-up;
//   - any operation failed in a way the load does not explain (see `expected` below), or a watch ended.
// Prints a table of first / last / max per figure, the operation counts, and PASS or FAIL.
import fs from 'node:fs'
import { loadAddon, type NativeFaultBatch, type NativeOsError, type NativeWatchHandle } from '../native/index'
import { startFixture, type RunningFixture } from '../native/test/fixtures'
import { walkHeaps } from '../src-main/core/heapWalk'
import { takeSnapshot } from '../src-main/core/snapshot'
import { WsWatchSession } from '../src-main/core/wsWatch'

const RSS_BOUND_MIB = 48
const SNAPSHOT_EVERY_MS = 100
const CHECKPOINT_EVERY_MS = 5_000
const HEAP_FIXTURE_LIFETIME_MS = 20_000
const LEAK_BLOCKS = 500

const arg = process.argv.slice(2).find((a) => /^\d+(\.\d+)?$/.test(a))
const seconds = Number(arg ?? process.env.SOAK_SECONDS ?? 600)
if (!(seconds >= 15)) {
  console.error(`soak: the duration must be at least 15 s, got ${arg ?? process.env.SOAK_SECONDS}`)
  process.exit(2)
}
const warmupMs = Math.max(10_000, seconds * 200)

const addon = loadAddon()
const gc = (globalThis as { gc?: () => void }).gc
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const mib = (bytes: number) => bytes / 1048576

function fdCount(): number {
  return fs.readdirSync('/proc/self/fd').length - 1 // minus the fd readdir itself holds
}
function threadCount(): number {
  return fs.readdirSync('/proc/self/task').length
}
function rssBytes(): number {
  const status = fs.readFileSync('/proc/self/status', 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024
}

// ---- bookkeeping ----
const counts = new Map<string, number>()
const count = (key: string, n = 1) => counts.set(key, (counts.get(key) ?? 0) + n)
const failures: string[] = []
const fail = (what: string) => {
  if (failures.length < 50) failures.push(what)
  count('unexpected failures')
}

// The load loops run while `running`; at a checkpoint `paused` holds them at their next turn and
// `inFlight` says when the last operation has settled.
let running = true
let paused: Promise<void> | undefined
let inFlight = 0
const idleWaiters = new Set<() => void>()
async function op<T>(fn: () => Promise<T>): Promise<T> {
  while (paused) await paused
  inFlight++
  try {
    return await fn()
  } finally {
    inFlight--
    if (inFlight === 0) for (const wake of idleWaiters) wake()
  }
}
async function quiet(): Promise<() => void> {
  let release!: () => void
  paused = new Promise((resolve) => (release = resolve))
  while (inFlight > 0) await new Promise<void>((resolve) => idleWaiters.add(resolve)).then(() => idleWaiters.clear())
  return () => {
    paused = undefined
    release()
  }
}

// ---- the load ----
let churnPid = 0

async function snapshotLoop(): Promise<void> {
  let next = performance.now()
  while (running) {
    await op(async () => {
      try {
        const snap = await takeSnapshot(addon, { include: ['process', 'thread', 'module', 'heaplist'], pid: churnPid || null })
        count('snapshots')
        count('snapshot errors (processes that exited mid-read etc.)', snap.errors.length)
        if (snap.processes.length === 0 || snap.threads.length === 0) fail('a snapshot listed no process or no thread')
      } catch (error) {
        fail(`snapshot rejected: ${(error as Error).message}`)
      }
    })
    next += SNAPSHOT_EVERY_MS
    await sleep(Math.max(0, next - performance.now()))
  }
}

// Ways a walk may fail under this load without anything being wrong.
function expectedWalkFailure(e: NativeOsError): boolean {
  if (e.code === 'ESRCH') return true // the heap fixture was replaced mid-walk
  return false
}

async function heapLoop(): Promise<void> {
  let fixture: RunningFixture<{ pid: number }> | undefined
  let bornAt = 0
  let stopTarget = false
  try {
    while (running) {
      if (!fixture || performance.now() - bornAt > HEAP_FIXTURE_LIFETIME_MS) {
        await op(async () => {
          const old = fixture
          fixture = undefined
          if (old) {
            // Every other one is killed outright (SIGKILL), the others are stopped politely.
            if ((counts.get('heap fixtures') ?? 0) % 2 === 1) old.proc.kill('SIGKILL')
            await old.stop()
          }
          fixture = await startFixture<{ pid: number }>('heap_fixture', ['--leak', String(LEAK_BLOCKS), '--leak-size', '48'])
          bornAt = performance.now()
          count('heap fixtures')
        })
      }
      if (!fixture) break
      stopTarget = !stopTarget
      const targets: [string, number][] = [['heap_fixture', fixture.info.pid]]
      if (churnPid) targets.push(['churn', churnPid])
      for (const [name, pid] of targets) {
        if (name === 'heap_fixture') process.kill(pid, 'SIGUSR1')
        await op(async () => {
          try {
            const doc = await walkHeaps(addon, { pid, limit: 1000, stopTarget }).result
            count(`heap walks of ${name}${stopTarget ? ' (stopped)' : ''}`)
            count('heap blocks counted', doc.heaps.reduce((s, h) => s + h.summary.blockCount, 0))
            if (stopTarget && !doc.stopped) count(`walks of ${name} whose target did not stop entirely (reported)`)
          } catch (error) {
            const e = error as NativeOsError
            if (expectedWalkFailure(e)) count(`heap walks ended by ${e.code} (target exited)`)
            else fail(`heap walk of ${name} ${pid} (stopTarget ${stopTarget}): ${e.code} ${e.message}`)
          }
        })
      }
    }
  } finally {
    await fixture?.stop()
  }
}

interface Watches {
  churnSession: WsWatchSession
  stream: NativeWatchHandle
  streamEnded: Promise<unknown>
}

async function startWatches(streamPid: number): Promise<Watches> {
  const churnSession = await WsWatchSession.start(addon, { pid: churnPid, maxRecords: 10_000 })
  void churnSession.done.then((doc) => {
    if (running) fail(`the watch of churn ended while the soak ran: ${doc.endReason}`)
    count('churn watch: faults', doc.summary.total)
    count('churn watch: lost', doc.lost)
  })
  let resolveEnd!: (v: unknown) => void
  const streamEnded = new Promise((resolve) => (resolveEnd = resolve))
  const stream = addon.startWatch(
    { pid: streamPid },
    (batch: NativeFaultBatch) => {
      count('full-speed watch: faults', batch.pc.length)
      count('full-speed watch: lost', batch.lost)
      count('full-speed watch: batches')
    },
    (end) => {
      if (running) fail(`the full-speed watch ended while the soak ran: ${JSON.stringify(end)}`)
      resolveEnd(end)
    }
  )
  return { churnSession, stream, streamEnded }
}

// ---- samples ----
interface Sample {
  atMs: number
  fds: number
  threads: number
  /** child processes of the inspector, live or zombie (the fixtures; never a leftover stopper helper) */
  children: number
  rss: number
}

/** Children of this process (any state), from /proc/PID/stat's ppid. */
function childCount(): number {
  let n = 0
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) n++
    } catch {
      // gone meanwhile
    }
  }
  return n
}
const samples: Sample[] = []

async function checkpoint(t0: number): Promise<Sample> {
  const release = await quiet()
  try {
    gc?.()
    await sleep(20) // let finalizers and the pool settle
    gc?.()
    // The least of a few readings: a map refresh of the churn watch (core/wsWatch.ts, not paused
    // here) may hold an fd for a moment; a leaked one never goes away.
    const reading = { fds: Infinity, threads: Infinity, children: Infinity }
    for (let i = 0; i < 5; i++) {
      reading.fds = Math.min(reading.fds, fdCount())
      reading.threads = Math.min(reading.threads, threadCount())
      reading.children = Math.min(reading.children, childCount())
      await sleep(10)
    }
    const sample = { atMs: performance.now() - t0, ...reading, rss: rssBytes() }
    samples.push(sample)
    return sample
  } finally {
    release()
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows.map((r) => '| ' + r.map((cell, c) => cell.padEnd(widths[c])).join(' | ') + ' |').join('\n')
}

async function main(): Promise<number> {
  console.log(`soak: ${seconds} s (warm-up ${(warmupMs / 1000).toFixed(0)} s), addon ${process.env.SNAPSCOPE_ADDON ?? 'native/build'}${gc ? '' : ' (no --expose-gc: RSS is noisier)'}`)
  const churn = await startFixture<{ pid: number }>('churn')
  churnPid = churn.info.pid
  const streamer = await startFixture<{ pid: number }>('watch_toucher', ['--stream', String(seconds + 60), '--threads', '1'])
  const t0 = performance.now()
  let watches: Watches | undefined
  const loops: Promise<void>[] = []
  try {
    watches = await startWatches(streamer.info.pid)
    process.kill(streamer.info.pid, 'SIGUSR1') // start faulting
    loops.push(snapshotLoop(), heapLoop())
    const first = await checkpoint(t0)
    console.log(`  start: ${first.fds} fds, ${first.threads} threads, RSS ${mib(first.rss).toFixed(1)} MiB`)
    while (performance.now() - t0 < seconds * 1000 && failures.length === 0) {
      await sleep(Math.min(CHECKPOINT_EVERY_MS, seconds * 1000 - (performance.now() - t0)))
      const s = await checkpoint(t0)
      console.log(
        `  ${(s.atMs / 1000).toFixed(0).padStart(4)} s: ${s.fds} fds, ${s.threads} threads, ${s.children} children, RSS ${mib(s.rss).toFixed(1)} MiB; ` +
          `${counts.get('snapshots') ?? 0} snapshots, ${[...counts].filter(([k]) => k.startsWith('heap walks of')).reduce((n, [, v]) => n + v, 0)} walks, ` +
          `${(counts.get('full-speed watch: faults') ?? 0).toLocaleString('en-US')} faults watched at full speed`
      )
    }
  } catch (error) {
    fail(`the soak itself failed: ${(error as Error).stack ?? error}`)
  } finally {
    running = false
    await Promise.allSettled(loops)
    if (watches) {
      watches.stream.stop()
      await watches.streamEnded
      await watches.churnSession.stop()
    }
    await streamer.stop()
    await churn.stop()
  }

  // ---- verdict ----
  const afterWarmup = samples.filter((s) => s.atMs >= warmupMs)
  const verdicts: string[] = []
  const rows = [['figure', 'start', 'after warm-up', 'last', 'max', 'bound', 'ok']]
  if (afterWarmup.length < 2) {
    verdicts.push(`too few samples after the warm-up (${afterWarmup.length}): run longer`)
  } else {
    const base = afterWarmup[0]
    const last = afterWarmup[afterWarmup.length - 1]
    const check = (name: string, pick: (s: Sample) => number, show: (n: number) => string, bound: number, boundText: string) => {
      const max = Math.max(...afterWarmup.map(pick))
      const ok = max - pick(base) <= bound && Math.min(...afterWarmup.map(pick)) >= pick(base) - Math.max(bound, 0)
      rows.push([name, show(pick(samples[0])), show(pick(base)), show(pick(last)), show(max), boundText, ok ? 'yes' : 'NO'])
      if (!ok) verdicts.push(`${name} moved after the warm-up: ${afterWarmup.map((s) => show(pick(s))).join(' → ')}`)
    }
    check('fds (/proc/self/fd)', (s) => s.fds, String, 0, 'unchanged')
    check('threads (/proc/self/task)', (s) => s.threads, String, 0, 'unchanged')
    check('child processes', (s) => s.children, String, 0, 'unchanged')
    const rssMax = Math.max(...afterWarmup.map((s) => s.rss))
    const rssOk = rssMax - base.rss <= RSS_BOUND_MIB * 1048576
    rows.push([
      'RSS (MiB)',
      mib(samples[0].rss).toFixed(1),
      mib(base.rss).toFixed(1),
      mib(last.rss).toFixed(1),
      mib(rssMax).toFixed(1),
      `+${RSS_BOUND_MIB} MiB`,
      rssOk ? 'yes' : 'NO'
    ])
    if (!rssOk) verdicts.push(`RSS grew ${mib(rssMax - base.rss).toFixed(1)} MiB after the warm-up (bound ${RSS_BOUND_MIB} MiB)`)
    // Least-squares slope of RSS over the second half of the run after the warm-up: a leak keeps
    // climbing there, a one-time growth (a GC heap resized, a buffer grown to its working size) does not.
    const tail = afterWarmup.slice(Math.floor(afterWarmup.length / 2))
    if (tail.length >= 3) {
      const mx = tail.reduce((a, s) => a + s.atMs, 0) / tail.length
      const my = tail.reduce((a, s) => a + s.rss, 0) / tail.length
      const slope = tail.reduce((a, s) => a + (s.atMs - mx) * (s.rss - my), 0) / tail.reduce((a, s) => a + (s.atMs - mx) ** 2, 0)
      console.log(
        `\nRSS after the warm-up: ${mib(last.rss - base.rss).toFixed(1)} MiB in ${((last.atMs - base.atMs) / 60_000).toFixed(1)} min; ` +
          `slope over the last ${((tail[tail.length - 1].atMs - tail[0].atMs) / 60_000).toFixed(1)} min: ${(mib(slope) * 60_000).toFixed(2)} MiB/min`
      )
    }
  }
  console.log(`\nsoak figures (quiet points every ${CHECKPOINT_EVERY_MS / 1000} s, ${samples.length} samples):\n${table(rows)}`)
  console.log('\noperations:')
  for (const [key, value] of [...counts].sort()) console.log(`  ${key}: ${value.toLocaleString('en-US')}`)
  for (const f of failures) verdicts.push(f)
  if (!counts.get('snapshots') || !counts.get('full-speed watch: faults') || ![...counts.keys()].some((k) => k.startsWith('heap walks of')))
    verdicts.push('some part of the load never ran')
  console.log(verdicts.length ? `\nsoak: FAIL\n${verdicts.map((v) => `  - ${v}`).join('\n')}` : `\nsoak: PASS (${seconds} s)`)
  return verdicts.length ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`soak: ${(error as Error).stack ?? error}`)
    process.exit(1)
  }
)
