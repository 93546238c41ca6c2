// The allocation trace on real programs: fixtures built -O1 -g without frame pointers make a known
// number of allocations from known chains of functions once the probes are live (SIGUSR1), and the
// trace must count exactly those, on stacks unwound from DWARF CFI, the same as heaptrack does.
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { addonPath, loadAddon } from '../index'
import { frameNames, nextJsonLine, startTrace, underHeaptrack, type StackSums, type TraceResult } from './allocTrace'
import { buildFixture, startFixture, type FixtureBuild, type RunningFixture } from './fixtures'

const IS_ROOT = process.getuid?.() === 0
const HEAPTRACK = spawnSync('sh', ['-c', 'command -v heaptrack && command -v heaptrack_print']).status === 0
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((f) => fs.existsSync(f))
if (!IS_ROOT) console.warn('skipping the allocation-trace tests that need root (uprobes)')
const O1G: FixtureBuild = { flags: ['-O1', '-g'], variant: 'O1g' }
const addon = loadAddon()
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-allocs-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

interface ChainsInfo {
  pid: number
  leakSize: number
  tempSize: number
  kindSize: number
}

/** Traces `fixture` through `rounds` SIGUSR1 rounds, then stops the trace (unless the target ends it). */
async function traceRounds(fixture: RunningFixture<{ pid: number }>, rounds = 1, stopAfter = true): Promise<TraceResult> {
  const trace = startTrace({ pid: fixture.info.pid, batchMs: 50 })
  for (let k = 0; k < rounds; k++) {
    const line = nextJsonLine<{ round: number }>(fixture.proc, (v) => v.round === k)
    process.kill(fixture.info.pid, 'SIGUSR1')
    await line
  }
  if (stopAfter) trace.stop()
  return trace.done
}

/** The stack whose frames, named innermost first, begin with `chain` (inlined frames counted). */
async function findStack(pid: number, result: TraceResult, chain: string[]): Promise<{ stack: StackSums; names: string[] } | undefined> {
  for (const stack of result.stacks.values()) {
    const names = (await frameNames(pid, stack.frames)).flat()
    if (chain.every((name, i) => names[i] === name)) return { stack, names }
  }
  return undefined
}

async function withFixture<T>(name: string, args: string[], build: FixtureBuild, body: (f: RunningFixture<ChainsInfo>) => Promise<T>): Promise<T> {
  const fixture = await startFixture<ChainsInfo>(name, args, { build })
  try {
    return await body(fixture)
  } finally {
    await fixture.stop()
  }
}

/** Our stacks as heaptrack's flame graph names them: outermost first, from main, "a;b;c;". */
async function foldedFromMain(pid: number, frames: bigint[]): Promise<string> {
  const names = (await frameNames(pid, frames)).flat()
  const main = names.indexOf('main')
  return `${names.slice(0, main + 1).reverse().join(';')};`
}

/** heaptrack_print's flame graph of one cost type: folded stack ("main;…;leaf;") -> cost. */
function heaptrackCosts(file: string, cost: 'allocations' | 'temporary' | 'leaked'): Map<string, number> {
  const out = path.join(tmp, `fg-${cost}-${path.basename(file)}`)
  execFileSync('heaptrack_print', ['-f', file, '--flamegraph-cost-type', cost, '-F', out], { stdio: 'ignore' })
  const costs = new Map<string, number>()
  for (const line of fs.readFileSync(out, 'utf8').split('\n')) {
    const at = line.lastIndexOf(' ')
    if (at <= 0) continue
    // "main (alloc_chains.c);leak_a (alloc_chains.c);" -> "main;leak_a;"
    const stack = line.slice(0, at).replace(/ \([^;()]*\);/g, ';')
    costs.set(stack, (costs.get(stack) ?? 0) + Number(line.slice(at + 1)))
  }
  return costs
}

describe.skipIf(!IS_ROOT)('allocation trace', () => {
  it('counts a known leak and known temporaries on their call chains, with nothing lost', async () => {
    const leaks = 300
    const temps = 200
    await withFixture('alloc_chains', ['--mode', 'chains', '--leaks', `${leaks}`, '--temps', `${temps}`], O1G, async (f) => {
      const result = await traceRounds(f)
      expect(result.end.reason).toBe('stopped')
      expect(result.mechanism).toBe('uprobes-glibc')
      expect(result.lost).toBe(0)
      const leak = await findStack(f.info.pid, result, ['leak_c', 'leak_b', 'leak_a', 'round_of'])
      expect(leak, 'the leak chain').toBeDefined()
      expect(leak!.stack).toMatchObject({ allocations: leaks, bytes: leaks * f.info.leakSize, frees: 0, temporary: 0 })
      expect(leak!.stack).toMatchObject({ leakedBlocks: leaks, leakedBytes: leaks * f.info.leakSize, peakBytes: leaks * f.info.leakSize })
      expect(leak!.names).toContain('main')
      const temp = await findStack(f.info.pid, result, ['temp_c', 'temp_b', 'temp_a', 'round_of'])
      expect(temp, 'the temporary chain').toBeDefined()
      expect(temp!.stack).toMatchObject({ allocations: temps, frees: temps, temporary: temps, leakedBlocks: 0, leakedBytes: 0 })
      expect(temp!.stack.peakBytes).toBe(f.info.tempSize)
      expect(result.totals).toMatchObject({ allocations: leaks + temps, frees: temps, temporary: temps, liveBlocks: leaks })
      // the fixture was built without frame pointers: the chain came from CFI
      const binary = buildFixture('alloc_chains', O1G)
      expect(execFileSync('objdump', ['-d', '--no-show-raw-insn', binary], { encoding: 'utf8' })).not.toMatch(/<leak_b>:\s*\n\s*[0-9a-f]+:\s*push\s+%rbp\s*\n\s*[0-9a-f]+:\s*mov\s+%rsp,%rbp/)
    })
  }, 60_000)

  it.skipIf(!HEAPTRACK)('gives heaptrack’s numbers per stack (heaptrack launch mode on the same fixture)', async () => {
    const args = ['--mode', 'chains', '--leaks', '250', '--temps', '150']
    const file = path.join(tmp, 'chains.heaptrack')
    await underHeaptrack(file, buildFixture('alloc_chains', O1G), args, async (pid, proc) => {
      const line = nextJsonLine<{ round: number }>(proc, (v) => v.round === 0)
      process.kill(pid, 'SIGUSR1')
      await line
    })
    const written = fs.readdirSync(tmp).find((name) => name.startsWith('chains.heaptrack'))!
    const theirs = {
      allocations: heaptrackCosts(path.join(tmp, written), 'allocations'),
      temporary: heaptrackCosts(path.join(tmp, written), 'temporary'),
      leaked: heaptrackCosts(path.join(tmp, written), 'leaked')
    }
    await withFixture('alloc_chains', args, O1G, async (f) => {
      const result = await traceRounds(f)
      let compared = 0
      for (const stack of result.stacks.values()) {
        const folded = await foldedFromMain(f.info.pid, stack.frames)
        if (!folded.includes('round_of')) continue  // startup allocations: heaptrack saw them, we attached later
        expect({ folded, allocations: stack.allocations, temporary: stack.temporary, leaked: stack.leakedBytes }).toEqual({
          folded,
          allocations: theirs.allocations.get(folded),
          temporary: theirs.temporary.get(folded),
          leaked: theirs.leaked.get(folded)
        })
        compared++
      }
      expect(compared).toBe(2)
    })
  }, 90_000)

  it('counts realloc chains, calloc, posix_memalign, aligned_alloc, memalign, valloc and reallocarray', async () => {
    const n = 50
    await withFixture('alloc_chains', ['--mode', 'kinds', '--leaks', `${n}`], O1G, async (f) => {
      const result = await traceRounds(f)
      expect(result.lost).toBe(0)
      const k = f.info.kindSize
      const expected: [string, number][] = [
        ['kind_calloc', 3 * k],
        ['kind_posix_memalign', k],
        ['kind_aligned_alloc', 512],
        ['kind_memalign', k],
        ['kind_valloc', k],
        ['kind_reallocarray', 5 * k]
      ]
      for (const [fn, size] of expected) {
        const found = await findStack(f.info.pid, result, [fn, 'round_of'])
        expect(found, fn).toBeDefined()
        expect({ fn, ...found!.stack }).toMatchObject({ fn, allocations: n, bytes: n * size, leakedBlocks: n, leakedBytes: n * size })
      }
      // realloc(NULL) then three reallocs: each a free of the block before (the thread's latest
      // allocation: temporary) and an allocation; the last block is kept.
      const reallocs = [...result.stacks.values()].filter((s) => s.allocations > 0)
      const named = await Promise.all(reallocs.map(async (s) => ({ s, names: (await frameNames(f.info.pid, s.frames)).flat() })))
      const chain = named.filter((x) => x.names[0] === 'kind_realloc').map((x) => x.s)
      expect(chain).toHaveLength(4)
      expect(chain.reduce((a, s) => a + s.allocations, 0)).toBe(4 * n)
      expect(chain.reduce((a, s) => a + s.temporary, 0)).toBe(3 * n)
      expect(chain.reduce((a, s) => a + s.leakedBlocks, 0)).toBe(n)
      expect(chain.reduce((a, s) => a + s.leakedBytes, 0)).toBe(n * 3 * k)
    })
  }, 60_000)

  it('follows every thread: one that ran before the trace and those born during it', async () => {
    const threads = 4
    const leaks = 120
    await withFixture('alloc_chains', ['--mode', 'threads', '--threads', `${threads}`, '--leaks', `${leaks}`], O1G, async (f) => {
      const result = await traceRounds(f)
      expect(result.lost).toBe(0)
      const early = await findStack(f.info.pid, result, ['thread_chain', 'allocating_thread', 'early_thread'])
      const born = await findStack(f.info.pid, result, ['thread_chain', 'allocating_thread', 'start_thread'])
      expect(early!.stack).toMatchObject({ allocations: leaks, leakedBlocks: leaks, leakedBytes: leaks * f.info.leakSize })
      expect(born!.stack).toMatchObject({ allocations: threads * leaks, leakedBlocks: threads * leaks })
    })
  }, 60_000)

  it('names operator new of a C++ class and its caller', async () => {
    const n = 80
    const fixture = await startFixture<{ pid: number; widgetSize: number }>('alloc_cpp', ['--leaks', `${n}`], { build: O1G })
    try {
      const result = await traceRounds(fixture)
      const kept = await findStack(fixture.info.pid, result, ['operator new(unsigned long)', 'make_widget(int)'])
      expect(kept, 'new Widget in make_widget').toBeDefined()
      expect(kept!.stack).toMatchObject({ allocations: n, leakedBlocks: n, leakedBytes: n * fixture.info.widgetSize })
      const churn = await findStack(fixture.info.pid, result, ['operator new(unsigned long)', 'churn_widget(int)'])
      expect(churn!.stack).toMatchObject({ allocations: n, frees: n, temporary: n, leakedBlocks: 0 })
    } finally {
      await fixture.stop()
    }
  }, 60_000)

  it('ends with target-exited and what was live when the target exits during the trace', async () => {
    const leaks = 64
    await withFixture('alloc_chains', ['--mode', 'exit', '--leaks', `${leaks}`], O1G, async (f) => {
      const result = await traceRounds(f, 1, false)
      expect(result.end.reason).toBe('target-exited')
      const leak = await Promise.resolve([...result.stacks.values()].find((s) => s.leakedBlocks === leaks))
      expect(leak).toMatchObject({ allocations: leaks, leakedBytes: leaks * f.info.leakSize })
    })
  }, 60_000)

  it('detaches leaving the target running, with no breakpoint in its malloc and no probe defined', async () => {
    await withFixture('alloc_chains', ['--mode', 'loop', '--ops', '1000'], O1G, async (f) => {
      const malloc = mallocOf(f.info.pid)
      const original = fs.readFileSync(malloc.file).subarray(malloc.fileOffset, malloc.fileOffset + 1)[0]
      const trace = startTrace({ pid: f.info.pid })
      expect(readByte(f.info.pid, malloc.address)).toBe(0xcc)  // int3: the uprobe is in
      expect(probeDefinitions()).toMatch(/snapscope_/)
      const line = nextJsonLine<{ round: number }>(f.proc, (v) => v.round === 0)
      process.kill(f.info.pid, 'SIGUSR1')
      await line
      trace.stop()
      const result = await trace.done
      expect(result.totals!.allocations).toBeGreaterThanOrEqual(10_000)
      expect(readByte(f.info.pid, malloc.address)).toBe(original)
      expect(probeDefinitions()).not.toMatch(/snapscope_/)
      const again = nextJsonLine<{ round: number }>(f.proc, (v) => v.round === 1)
      process.kill(f.info.pid, 'SIGUSR1')
      expect((await again).round).toBe(1)  // it runs on, untraced
    })
  }, 60_000)

  it('traces a static binary through its own malloc symbols', async () => {
    const build: FixtureBuild = { flags: ['-O1', '-g', '-static'], variant: 'static' }
    await withFixture('alloc_chains', ['--mode', 'chains', '--leaks', '40', '--temps', '10'], build, async (f) => {
      const result = await traceRounds(f)
      expect(result.mechanism).toBe('uprobes-exe')
      const leak = await findStack(f.info.pid, result, ['leak_c', 'leak_b', 'leak_a'])
      expect(leak!.stack).toMatchObject({ allocations: 40, leakedBlocks: 40 })
    })
  }, 90_000)
})

describe('allocation trace errors', () => {
  it('throws TypeErrors for bad options', () => {
    const noop = () => {}
    const start = addon.startAllocTrace as (...args: unknown[]) => unknown
    expect(() => start({ pid: 0 }, noop, noop)).toThrow(TypeError)
    expect(() => start({ pid: 1.5 }, noop, noop)).toThrow(/pid must be a positive integer/)
    expect(() => start({ pid: process.pid, stackBytes: 100 }, noop, noop)).toThrow(/stackBytes must be a number from 512/)
    expect(() => start({ pid: process.pid, stackBytes: 1001 }, noop, noop)).toThrow(/multiple of 8/)
    expect(() => start({ pid: process.pid, batchMs: 'x' }, noop, noop)).toThrow(/batchMs/)
    expect(() => start({ pid: process.pid })).toThrow(/onBatch, onEnd functions/)
  })

  it('throws ESRCH for a pid that does not exist', () => {
    const pid = unusedPid()
    expect(() => addon.startAllocTrace({ pid }, () => {}, () => {})).toThrow(
      expect.objectContaining({ code: 'ESRCH', pid, scope: 'allocs', message: expect.stringMatching(/no such process/) })
    )
  })

  it.skipIf(!IS_ROOT || !SETPRIV)('refuses another user’s process without privileges and says what would allow it', async () => {
    await withFixture('alloc_chains', ['--mode', 'chains'], O1G, async (f) => {
      const script = `const addon = require(${JSON.stringify(addonPath())})
        try { addon.startAllocTrace({ pid: ${f.info.pid} }, () => {}, () => {}); console.log('{"started":true}') }
        catch (e) { console.log(JSON.stringify({ code: e.code, scope: e.scope, pid: e.pid, message: e.message })) }`
      const output = execFileSync(SETPRIV!, ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, '-e', script], {
        encoding: 'utf8',
        timeout: 20_000
      })
      const out = JSON.parse(output.trim())
      expect(out).toMatchObject({ scope: 'allocs', pid: f.info.pid })
      expect(['EACCES', 'EPERM']).toContain(out.code)
      expect(out.message).toMatch(/needs root, or CAP_SYS_ADMIN .* CAP_PERFMON/)
      expect(out.message).toMatch(/perf_event_paranoid is -?\d/)
      // the target was left alone
      const line = nextJsonLine<{ round: number }>(f.proc, (v) => v.round === 0)
      process.kill(f.info.pid, 'SIGUSR1')
      expect((await line).round).toBe(0)
    })
  }, 60_000)
})

function unusedPid(): number {
  const max = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'))
  for (let pid = max - 1; pid > 1; pid--) if (!fs.existsSync(`/proc/${pid}`)) return pid
  throw new Error('no unused pid')
}

/** Where `pid`'s libc malloc is: its address in the process, and its file and offset there. */
function mallocOf(pid: number): { address: number; file: string; fileOffset: number } {
  const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')
  const libc = maps.map((l) => l.split(/\s+/)).find((f) => f[5]?.includes('/libc.so') && f[2] === '00000000')!
  const file = libc[5]
  const base = parseInt(libc[0].split('-')[0], 16)
  const symbols = execFileSync('nm', ['-D', '--defined-only', file], { encoding: 'utf8' })
  const vaddr = parseInt(/^([0-9a-f]+) [TW] malloc(@@\S+)?$/m.exec(symbols)![1], 16)
  // libc's first PT_LOAD maps offset 0 at vaddr 0; the text segment's vaddr - offset is the same.
  const headers = execFileSync('readelf', ['-lW', file], { encoding: 'utf8' })
  const load = headers.split('\n').filter((l) => l.trim().startsWith('LOAD')).map((l) => l.trim().split(/\s+/))
  const segment = load.find((s) => vaddr >= parseInt(s[2], 16) && vaddr < parseInt(s[2], 16) + parseInt(s[4], 16))!
  return { address: base + vaddr, file, fileOffset: vaddr - parseInt(segment[2], 16) + parseInt(segment[1], 16) }
}

function readByte(pid: number, address: number): number {
  const fd = fs.openSync(`/proc/${pid}/mem`, 'r')
  try {
    const byte = Buffer.alloc(1)
    fs.readSync(fd, byte, 0, 1, address)
    return byte[0]
  } finally {
    fs.closeSync(fd)
  }
}

/** tracefs's uprobe_events, read through a private mount (tracefs need not be mounted here). */
function probeDefinitions(): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'tracefs-'))
  return execFileSync('unshare', ['-m', 'sh', '-c', `mount -t tracefs nodev ${dir} && cat ${dir}/uprobe_events`], { encoding: 'utf8' })
}
