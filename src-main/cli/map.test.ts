// `snapscope map` on a real python3: the snapscope.memorymap/1 document (checked against its schema,
// its totals against the kernel's smaps_rollup while the target is stopped), --out, and its exit codes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryMapDocSchema, type MemoryMapDoc } from '../../src-common/contract/memoryMapTypes'
import { MEMORY_KINDS } from '../../src-common/contract/types'
import { LENIENT, compile } from '../../src-common/contract/validate'

const CLI = ['--import', 'tsx', join(__dirname, 'snapscope.ts'), 'map']
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const check = compile(MemoryMapDocSchema, LENIENT)
const deadPid = (): number => Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1

function rollupKb(pid: number): Record<string, number> {
  const kb: Record<string, number> = {}
  for (const m of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').matchAll(/^(\w+):\s+(\d+) kB/gm)) kb[m[1]] = Number(m[2]) * 1024
  return kb
}

let python: ChildProcess
beforeAll(async () => {
  python = spawn('/usr/bin/python3', ['-c', 'import time; b = bytearray(1 << 20); print("ready", flush=True); time.sleep(3600)'], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve) => python.stdout!.once('data', resolve))
})
afterAll(() => python.kill('SIGKILL'))

const state = (pid: number, tid: string): string => {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
  return stat[stat.lastIndexOf(')') + 2]
}

/**
 * Runs `snapscope map` with the target stopped (every thread), between two reads of smaps_rollup. The
 * resident figures still move: the first run's heap list faults a few of the target's pages in. So
 * it goes again, a few times at most, until the kernel's reads agree with each other and with the
 * document's resident and swapped bytes: a wrong sum never does.
 */
function mapStopped(args: string[]): { r: ReturnType<typeof cli>; kernel: Record<string, number> } {
  const pid = python.pid!
  process.kill(pid, 'SIGSTOP')
  try {
    const until = Date.now() + 5000
    while (readdirSync(`/proc/${pid}/task`).some((t) => state(pid, t) !== 'T') && Date.now() < until) spawnSync('sleep', ['0.01'])
    for (let attempt = 1; ; attempt++) {
      const before = rollupKb(pid)
      const r = cli(args)
      const kernel = rollupKb(pid)
      const totals = (JSON.parse(r.stdout || '{"totals": []}') as MemoryMapDoc).totals
      const sum = (field: 'residentBytes' | 'privateBytes' | 'swapBytes') => totals.reduce((s, t) => s + t[field], 0)
      const agree = sum('residentBytes') === kernel.Rss && sum('swapBytes') === kernel.Swap
      if (attempt === 6 || (JSON.stringify(before) === JSON.stringify(kernel) && agree)) return { r, kernel }
    }
  } finally {
    process.kill(pid, 'SIGCONT')
  }
}

describe('snapscope map', () => {
  it('prints every region and the totals by kind, which are the kernel\u2019s own', () => {
    const { r, kernel } = mapStopped(['--pid', String(python.pid)])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = check(JSON.parse(r.stdout), 'document') as MemoryMapDoc
    expect(doc).toMatchObject({ format: 'snapscope.memorymap/1', pid: python.pid })
    expect(doc.totals.map((t) => t.kind)).toEqual([...MEMORY_KINDS])
    const sum = (field: 'residentBytes' | 'privateBytes' | 'swapBytes') => doc.totals.reduce((s, t) => s + t[field], 0)
    expect(sum('residentBytes')).toBe(kernel.Rss)
    // A library page is private only while no other process maps it, and the command (a node process
    // mapping libraries python3 maps too) runs during its read but not during the test's: its clean
    // private pages are fewer than the kernel's after it exits, the dirty ones (copies) the same.
    // (native/test/memoryMap.test.ts, whose reader is there for both reads, checks them exactly.)
    expect(sum('privateBytes')).toBeLessThanOrEqual(kernel.Private_Clean + kernel.Private_Dirty)
    expect(sum('privateBytes')).toBeGreaterThanOrEqual(kernel.Private_Dirty)
    expect(sum('swapBytes')).toBe(kernel.Swap)
    for (const t of doc.totals) {
      const mine = doc.regions.filter((g) => g.kind === t.kind)
      expect(t.sizeBytes).toBe(mine.reduce((s, g) => s + g.sizeBytes, 0))
    }
    for (const g of doc.regions) expect(g.sizeBytes).toBe(Number(BigInt(g.end) - BigInt(g.start)))
    expect(doc.regions.find((g) => g.path === '[heap]')?.kind).toBe('heap')
  })

  it('--out writes the same document to the file, nothing to stdout', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'snapscope-map-')), 'map.json')
    const r = cli(['--pid', String(python.pid), '--out', out])
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', ''])
    const doc = check(JSON.parse(readFileSync(out, 'utf8')), 'document') as MemoryMapDoc
    expect(doc.pid).toBe(python.pid)
    expect(doc.regions.length).toBeGreaterThan(10)
    // report reads it as it reads the other documents; --redact takes the directories off its paths
    const csv = join(out, '..', 'csv')
    const report = spawnSync(process.execPath, [CLI[0], CLI[1], CLI[2], 'report', out, '--format', 'csv', '--redact', '--out', csv], { encoding: 'utf8' })
    expect(report.status).toBe(0)
    const regions = readdirSync(csv).find((f) => f.endsWith('-regions.csv'))!
    const text = readFileSync(join(csv, regions), 'utf8')
    expect(text.split('\n').length).toBeGreaterThan(doc.regions.length)
    expect(text).toContain('libc.so.6')
    expect(text).not.toContain('/usr/lib')
  })

  it('a pid that does not exist exits 1 with ESRCH in one line; no --pid is bad usage (exit 2)', () => {
    const pid = deadPid()
    const gone = cli(['--pid', String(pid)])
    expect(gone.code).toBe(1)
    expect(gone.stdout).toBe('')
    expect(gone.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^snapscope map: process ${pid} does not exist \\(ESRCH\\)`))])
    const usage = cli([])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('--pid is required')
  })
})
