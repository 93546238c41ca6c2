// Allocation tracing (issue 14), in one run on the same fixture loop (alloc_chains --mode loop:
// malloc(64) + free from a chain of calls, built -O1 -g without frame pointers):
//   1. the target's time per malloc+free traced vs the same loop under heaptrack's launch mode
//      (LD_PRELOAD): ratio <= 1, the target pays no more than heaptrack while we attach live;
//   2. the share of allocations captured when the target allocates at 500,000 a second (>= 99.9 %);
//   3. the inspector's CPU per 1,000 events (reported; an event is a probe hit: malloc entry, its
//      return, free), with how many stacks needed a DWARF walk and how many the unwind cache answered.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { nextJsonLine, startTrace, underHeaptrack, type TraceResult } from '../native/test/allocTrace'
import { buildFixture, startFixture, type FixtureBuild } from '../native/test/fixtures'
import type { BenchEntry } from './report'

const BUILD: FixtureBuild = { flags: ['-O1', '-g'], variant: 'O1g' }
const PAIRS = 1_000_000     // per timed round (the fixture takes --ops in tens)
const RATE = 500_000        // allocations per second for the capture round
const PROBES_PER_PAIR = 3   // malloc entry + malloc return + free

interface Round {
  ns: number
}

/** One loop round of the fixture; `attach` may trace it first (and returns how to end the trace). */
async function loopRound(args: string[], attach?: (pid: number) => () => Promise<TraceResult>) {
  const fixture = await startFixture<{ pid: number }>('alloc_chains', ['--mode', 'loop', ...args], { build: BUILD })
  try {
    const detach = attach?.(fixture.info.pid)
    const cpu0 = process.cpuUsage()
    const line = nextJsonLine<Round & { round: number }>(fixture.proc, (v) => v.round === 0, 120_000)
    process.kill(fixture.info.pid, 'SIGUSR1')
    const round = await line
    const trace = await detach?.()
    const cpu = process.cpuUsage(cpu0)
    return { ns: round.ns, trace, cpuMs: (cpu.user + cpu.system) / 1000 }
  } finally {
    await fixture.stop()
  }
}

const traced = (pid: number) => {
  const trace = startTrace({ pid })
  return async () => {
    trace.stop()
    return trace.done
  }
}

async function underHeaptrackRound(args: string[]): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-allocs-bench-'))
  try {
    let ns = NaN
    await underHeaptrack(path.join(dir, 'loop'), buildFixture('alloc_chains', BUILD), ['--mode', 'loop', ...args], async (pid, proc) => {
      const line = nextJsonLine<Round & { round: number }>(proc, (v) => v.round === 0, 120_000)
      process.kill(pid, 'SIGUSR1')
      ns = (await line).ns
    })
    return ns
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export async function allocsBench(log: (s: string) => void): Promise<BenchEntry[]> {
  if (process.getuid?.() !== 0) {
    const why = 'needs root (uprobes)'
    return ['allocs: time per malloc+free, traced vs heaptrack', 'allocs: share captured at 500,000 allocations/s', 'allocs: inspector CPU per 1,000 events'].map(
      (name) => ({ name, skipped: why })
    )
  }
  const full = ['--ops', String(PAIRS / 10)]
  const alone = await loopRound(full)
  const ours = await loopRound(full, traced)
  const hasHeaptrack = spawnSync('sh', ['-c', 'command -v heaptrack']).status === 0
  const theirs = hasHeaptrack ? await underHeaptrackRound(full) : NaN
  const t = ours.trace!
  log(`allocs: alone ${alone.ns.toFixed(0)} ns, traced ${ours.ns.toFixed(0)} ns, heaptrack ${theirs.toFixed(0)} ns per malloc+free`)

  const paced = await loopRound(['--ops', String(PAIRS / 10), '--rate', String(RATE / 10)], traced)
  const p = paced.trace!
  const captured = p.totals?.allocations ?? 0
  const share = Math.min(captured, PAIRS) / PAIRS
  const events = captured * 2 + (p.totals?.frees ?? 0)
  const msPer1000 = (paced.cpuMs / Math.max(1, events)) * 1000
  log(`allocs: ${captured.toLocaleString()} of ${PAIRS.toLocaleString()} captured at ${RATE.toLocaleString()}/s, ${p.lost} lost, ` +
      `${p.totals?.unwinds} unwinds, ${p.totals?.unwindCacheHits} cache hits, inspector ${paced.cpuMs.toFixed(0)} ms CPU`)

  const entries: BenchEntry[] = []
  entries.push(
    hasHeaptrack
      ? {
          name: 'allocs: target time per malloc+free, traced (attached live) vs heaptrack (launch mode)',
          value: Math.round(ours.ns),
          unit: 'ns',
          baseline: 'heaptrack 1.4 launch mode (LD_PRELOAD), same loop, same run',
          baselineValue: Math.round(theirs),
          ratio: Math.round((ours.ns / theirs) * 100) / 100,
          target: 'ratio <= 1',
          met: ours.ns <= theirs,
          notes: `untraced ${alone.ns.toFixed(0)} ns; ${t.totals?.unwinds} DWARF unwinds, ${t.totals?.unwindCacheHits} cache hits; lost ${t.lost}; ${PAIRS} pairs`
        }
      : { name: 'allocs: target time per malloc+free, traced vs heaptrack', skipped: 'heaptrack is not installed' }
  )
  entries.push({
    name: `allocs: share of allocations captured at ${RATE.toLocaleString()} allocations/s`,
    value: Math.round(share * 100_000) / 1000,
    unit: '%',
    baseline: 'target',
    baselineValue: 99.9,
    ratio: Math.round(((share * 100) / 99.9) * 1000) / 1000,
    target: 'captured >= 99.9 %',
    met: share >= 0.999,
    notes: `${captured} of ${PAIRS} allocations, ${p.lost} events lost (the target reached ${(1e9 / paced.ns).toFixed(0)} pairs/s)`
  })
  entries.push({
    name: 'allocs: inspector CPU per 1,000 events',
    value: Math.round(msPer1000 * 1000) / 1000,
    unit: 'ms',
    baseline: 'none',
    baselineValue: 0,
    ratio: 0,
    target: 'none: reported',
    met: null,
    notes: `${events} events (malloc entries, returns, frees) in ${paced.cpuMs.toFixed(0)} ms of this process's CPU; ${p.totals?.unwinds} DWARF unwinds, ${p.totals?.unwindCacheHits} cache hits`
  })
  return entries
}

if (require.main === module) {
  allocsBench((s) => console.log(`  ${s}`)).then((entries) => console.table(entries))
}
