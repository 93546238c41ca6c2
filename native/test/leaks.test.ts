// Leak scans of real processes: leak_fixture.cc makes blocks of every kind memcheck tells apart and
// writes each block's address and expected verdict; the scan must agree with it block by block, and
// with valgrind's memcheck on the same program, count by count.
import { describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadAddon, type NativeLeakScan, type NativeOsError } from '../index'
import { buildFixture, rejection as rejectionOf, startFixture } from './fixtures'
import { LEAK_KINDS, type LeakKind } from '../../src-common/contract/leakTypes'

const addon = loadAddon()
const JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'

interface Truth {
  blocks: { address: number; kind: LeakKind; type: string | null }[]
  bulkReachable: number
  bulkLost: number
}

function readTruth(file: string): Truth {
  const truth: Truth = { blocks: [], bulkReachable: 0, bulkLost: 0 }
  for (const line of fs.readFileSync(file, 'utf8').trim().split('\n')) {
    const [first, second, third] = line.split(' ')
    if (first === 'bulk') {
      truth.bulkReachable = Number(second)
      truth.bulkLost = Number(third)
    } else {
      truth.blocks.push({ address: parseInt(first, 16), kind: second as LeakKind, type: third === '-' ? null : third })
    }
  }
  return truth
}

const rejection = (promise: Promise<unknown>) => rejectionOf<NativeOsError>(promise)
const truthFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-leaks-')), 'truth.txt')

async function scanFixture(args: string[], env: Record<string, string> = {}, binary?: string) {
  const truth = truthFile()
  const fixture = await startFixture<{ pid: number }>('leak_fixture', ['--truth', truth, ...args], { env, binary })
  return { fixture, truth, pid: fixture.info.pid }
}

/** Each truth block's verdict and type in the scan. */
function verdicts(scan: NativeLeakScan, truth: Truth) {
  const blocks = scan.blocks!
  const at = new Map<number, number>()
  for (let i = 0; i < blocks.addresses.length; i++) at.set(blocks.addresses[i], i)
  return truth.blocks.map((t) => {
    const i = at.get(t.address)
    return {
      address: t.address.toString(16),
      expected: `${t.kind} ${t.type ?? '-'}`,
      got: i === undefined ? 'missing' : `${LEAK_KINDS[blocks.kinds[i]]} ${t.type === null ? '-' : scan.types[blocks.types[i]] || '?'}`
    }
  })
}

const kindCounts = (scan: NativeLeakScan) => ({
  definitelyLost: scan.summary.definitelyLost.blocks,
  indirectlyLost: scan.summary.indirectlyLost.blocks,
  possiblyLost: scan.summary.possiblyLost.blocks,
  reachable: scan.summary.reachable.blocks
})

/** memcheck's first LEAK SUMMARY in a log: blocks per kind. */
function memcheckCounts(log: string) {
  const summary = log.slice(log.indexOf('LEAK SUMMARY'))
  const count = (label: string) => {
    const m = new RegExp(`${label}: [\\d,]+ bytes in ([\\d,]+) blocks`).exec(summary)
    if (!m) throw new Error(`no "${label}" in memcheck's summary:\n${log}`)
    return Number(m[1].replaceAll(',', ''))
  }
  return { definitelyLost: count('definitely lost'), indirectlyLost: count('indirectly lost'), possiblyLost: count('possibly lost'), reachable: count('still reachable') }
}

describe('leak scan', () => {
  it("codes: the addon's kLeakKinds are LEAK_KINDS, in order", () => {
    const text = fs.readFileSync(path.join(__dirname, '..', 'src', 'backend.h'), 'utf8')
    const m = /kLeakKinds\[\] = \{([^}]*)\}/.exec(text)
    expect(m?.[1].split(',').map((s) => s.trim().replaceAll('"', ''))).toEqual([...LEAK_KINDS])
  })

  it('gives every block of the fixture its kind, never calls a reachable block lost, and names the classes', async () => {
    const { fixture, truth, pid } = await scanFixture(['--arenas', '2'])
    try {
      const scan = await addon.leakScan({ pid, blocks: true }).result
      const t = readTruth(truth)
      const checked = verdicts(scan, t)
      expect(checked.filter((c) => c.got !== c.expected)).toEqual([])
      expect(checked.map((c) => c.expected)).toEqual(expect.arrayContaining(['definitely-lost Widget', 'definitely-lost shapes::Circle', 'reachable Widget', 'definitely-lost string']))
      expect(scan.stopped).toBe(true)
      expect(scan.stoppedMs).toBeGreaterThan(0)
      // 1 main + TLS + stack + 2 arena threads; every one's registers and stack were roots
      expect(scan.roots.threads).toBe(5)
      expect(scan.roots.registers).toBeGreaterThanOrEqual(5 * 20)
      expect(scan.roots.stackBytes).toBeGreaterThan(0)
      expect(scan.roots.staticBytes).toBeGreaterThan(0)
      // the summary is the columns counted
      const kinds = Array.from(scan.blocks!.kinds)
      expect(kindCounts(scan)).toEqual({
        definitelyLost: kinds.filter((k) => k === 0).length,
        indirectlyLost: kinds.filter((k) => k === 1).length,
        possiblyLost: kinds.filter((k) => k === 2).length,
        reachable: kinds.filter((k) => k === 3).length
      })
      // groups: the lost Widgets together, largest bytes first
      const widget = scan.types.indexOf('Widget')
      const widgets = scan.groups.find((g) => g.kind === 0 && g.type === widget)!
      expect(widgets.count).toBe(4)
      expect(widgets.examples).toHaveLength(4)
      const bytes = scan.groups.map((g) => g.bytes)
      expect(bytes).toEqual([...bytes].sort((a, b) => b - a))
      // the preview of a lost string block is its text
      const text = t.blocks.find((b) => b.type === 'string')!
      const preview = await addon.readMemory(pid, text.address, 21)
      expect(Buffer.from(preview).toString('latin1')).toBe('a lost string of text')
      // let go: running (or sleeping), traced by no one
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
      expect(status).toMatch(/^TracerPid:\s+0$/m)
      expect(status).toMatch(/^State:\s+[SR]/m)
    } finally {
      await fixture.stop()
    }
  })

  it('lists who points at a block: a global, a block, a lost block, an interior pointer', async () => {
    const { fixture, truth, pid } = await scanFixture([])
    try {
      // make_main_cases' order: 3 plain lost, the string, the lost parent and its 2 children, the cycle,
      // the global's block and its child, the reachable Widget, the block kept by an interior pointer
      const b = readTruth(truth).blocks
      const [parent, child, kept, keptChild, inner] = [b[4], b[5], b[9], b[10], b[12]]
      expect([parent.kind, child.kind, kept.kind, keptChild.kind, inner.kind]).toEqual(['definitely-lost', 'indirectly-lost', 'reachable', 'reachable', 'possibly-lost'])
      const scan = await addon.leakScan({ pid, referrersOf: [parent.address, child.address, kept.address, keptChild.address + 8, inner.address] }).result
      const of = (block: { address: number }) => scan.referrers.filter((r) => r.target === block.address).map(({ source, fromBlock, from, interior }) => ({ source, fromBlock, from, interior }))
      expect(of(parent)).toEqual([])
      expect(of(child)).toEqual([{ source: 'block', fromBlock: parent.address, from: parent.address, interior: false }])
      expect(of(kept)).toEqual([expect.objectContaining({ source: 'static', fromBlock: 0, interior: false })])
      expect(of(keptChild)).toEqual([{ source: 'block', fromBlock: kept.address, from: kept.address, interior: false }])
      expect(of(inner)).toEqual([expect.objectContaining({ source: 'static', fromBlock: 0, interior: true })])
      expect(() => addon.leakScan({ pid, referrersOf: ['0x10' as unknown as number] })).toThrow(/referrersOf must be an array of at most 64 addresses/)
    } finally {
      await fixture.stop()
    }
  })

  it('names the classes of a program built without RTTI from the symbols of their vtables', async () => {
    const binary = path.join(path.dirname(truthFile()), 'leak_fixture_nortti')
    execFileSync('c++', ['-O2', '-fno-rtti', '-pthread', '-o', binary, path.join(__dirname, 'fixtures', 'leak_fixture.cc')], { stdio: ['ignore', 'pipe', 'pipe'] })
    const { fixture, truth, pid } = await scanFixture([], {}, binary)
    try {
      const scan = await addon.leakScan({ pid, blocks: true }).result
      const checked = verdicts(scan, readTruth(truth))
      expect(checked.filter((c) => c.got !== c.expected)).toEqual([])
      expect(scan.types).toEqual(expect.arrayContaining(['Widget', 'shapes::Circle']))
    } finally {
      await fixture.stop()
    }
  })

  it('counts the same blocks per kind as valgrind --leak-check=full on the same fixture', async () => {
    const args = ['--arenas', '8', '--bulk', '2000']
    const log = path.join(path.dirname(truthFile()), 'memcheck.log')
    const run = spawnSync('valgrind', ['--leak-check=full', '--leak-check-heuristics=none', `--log-file=${log}`, buildFixture('leak_fixture'), '--truth', truthFile(), ...args], {
      encoding: 'utf8',
      timeout: 120_000
    })
    expect(run.status, run.stderr).toBe(0)
    const memcheck = memcheckCounts(fs.readFileSync(log, 'utf8'))
    const { fixture, pid } = await scanFixture(args)
    try {
      const scan = await addon.leakScan({ pid }).result
      expect(scan.blocks).toBeNull()
      expect(kindCounts(scan)).toEqual(memcheck)
      expect(memcheck.definitelyLost).toBeGreaterThan(200) // the bulk's lost blocks are in both
    } finally {
      await fixture.stop()
    }
  }, 180_000)

  it('scans 8 thread arenas and 1,000,000 blocks', async () => {
    const { fixture, truth, pid } = await scanFixture(['--arenas', '8', '--bulk', '1000000'])
    try {
      const progress: number[] = []
      const scan = await addon.leakScan({ pid, blocks: true }, (p) => progress.push(p.scannedBytes)).result
      const t = readTruth(truth)
      const checked = verdicts(scan, t)
      expect(checked.filter((c) => c.got !== c.expected)).toEqual([])
      expect(t.blocks.filter((b) => b.address > 0x7f0000000000 && b.kind === 'definitely-lost')).toHaveLength(16) // 2 per arena
      const fixtureLost = t.blocks.filter((b) => b.kind === 'definitely-lost').length
      const dtvs = 10 // glibc's DTV of each of the 10 threads: only an interior pointer (dtv + 1) keeps it, as memcheck says too
      expect(scan.summary.definitelyLost.blocks).toBe(fixtureLost + t.bulkLost)
      expect(scan.summary.possiblyLost.blocks).toBe(t.blocks.filter((b) => b.kind === 'possibly-lost').length + dtvs)
      expect(scan.summary.reachable.blocks).toBeGreaterThanOrEqual(t.bulkReachable + 1)
      expect(t.bulkLost).toBe(100_000)
      expect(progress.length).toBeGreaterThan(0)
      const walk = await addon.heapWalk({ pid, heapId: null, offset: 0, limit: 0, stopTarget: false }).result
      expect(walk.heaps.filter((h) => h.kind === 'thread-arena').length).toBeGreaterThanOrEqual(8)
    } finally {
      await fixture.stop()
    }
  }, 120_000)

  it('rejects with ESRCH when the target exits during the scan, and lets it go', async () => {
    const { fixture, pid } = await scanFixture(['--bulk', '1000000'])
    try {
      let killed = false
      const handle = addon.leakScan({ pid }, () => {
        if (!killed) fixture.proc.kill('SIGKILL')
        killed = true
      })
      const error = await rejection(handle.result)
      expect(error.code).toBe('ESRCH')
      expect(error.message).toMatch(new RegExp(`process ${pid} exited during the leak scan`))
    } finally {
      await fixture.stop()
    }
  }, 60_000)

  it('says plainly that jemalloc is not supported', async () => {
    expect(fs.existsSync(JEMALLOC), 'libjemalloc2 (Debian) is needed for this test').toBe(true)
    const { fixture, pid } = await scanFixture([], { LD_PRELOAD: JEMALLOC })
    try {
      const error = await rejection(addon.leakScan({ pid }).result)
      expect(error.code).toBe('ENOTSUP')
      expect(error.message).toMatch(/jemalloc is not supported/)
      // and the target runs on
      expect(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0]).toMatch(/[SR]/)
    } finally {
      await fixture.stop()
    }
  })

  it('rejects with ECANCELED when cancelled, and with a TypeError for bad options', async () => {
    const { fixture, pid } = await scanFixture([])
    try {
      const handle = addon.leakScan({ pid })
      handle.cancel()
      expect((await rejection(handle.result)).code).toBe('ECANCELED')
      const self = await rejection(addon.leakScan({ pid: process.pid }).result)
      expect(self.code).toBe('EPERM')
      expect(self.message).toMatch(/can't scan the inspector's own process/)
      expect(() => addon.leakScan({ pid: -1 })).toThrow(/options.pid must be a non-negative integer/)
      expect(() => addon.leakScan({ pid, blocks: 'yes' as unknown as boolean })).toThrow(/options.blocks must be a boolean/)
      expect(() => addon.readMemory(pid, 0x1000, 1 << 20)).toThrow(/length must be an integer from 0 to 65536/)
    } finally {
      await fixture.stop()
    }
  })
})
