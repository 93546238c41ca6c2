// The watch's address map on a real process whose memory changes after the watch attached
// (late_map: dlopen of late_lib, a heap grown with sbrk, a new anonymous mapping, all touched by the
// library's code): the document and the live stream name the library, the heap and the mapping,
// checked against what the fixture itself reports (dladdr) and against /proc/PID/maps; and the names
// of the library's code, taken while it was mapped, kept once it is unloaded (eu-addr2line of the file);
// and names taken again where an exec put other code at the same addresses (exec_into).
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon } from '../../native/index'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'
import type { WatchUpdate } from '../../src-common/contract/contract'
import type { FaultEntry } from '../../src-common/contract/types'
import { addr2line } from '../../test-support/addr2line'
import { WatchStream } from './watchStream'
import { WsWatchSession } from './wsWatch'

interface LateReport {
  lib: string
  base: string
  touch: string
  data: [string, string]
  heap: [string, string]
  anon: [string, string]
  page: number
}

const PAGES = 64
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-late-'))
const lib = path.join(dir, 'liblate.so')
const LIB = path.basename(lib)
const fixtures: RunningFixture<unknown>[] = []

beforeAll(() => {
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', lib, path.join(__dirname, '../../native/test/fixtures/late_lib.c')])
})
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.stop()
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** The next line the fixture prints, as JSON. */
function nextLine<T>(f: RunningFixture<unknown>): Promise<T> {
  return new Promise((resolve) => {
    let text = ''
    const onData = (d: Buffer) => {
      text += d.toString()
      const end = text.indexOf('\n')
      if (end < 0) return
      f.proc.stdout!.off('data', onData)
      resolve(JSON.parse(text.slice(0, end)) as T)
    }
    f.proc.stdout!.on('data', onData)
  })
}

/** [start, end) and offset of each mapping of `file` in /proc/PID/maps. */
function mappingsOf(pid: number, file: string): { start: number; end: number; offset: number }[] {
  return fs
    .readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(` ${file}`))
    .map((line) => {
      const [range, , offset] = line.split(/\s+/)
      const [start, end] = range.split('-').map((x) => Number.parseInt(x, 16))
      return { start, end, offset: Number.parseInt(offset, 16) }
    })
}

const range = (r: [string, string]) => [Number(r[0]), Number(r[1])] as const
const inRange = (va: string, [lo, hi]: readonly [number, number]) => Number(va) >= lo && Number(va) < hi
const pagesIn = (faults: FaultEntry[], r: readonly [number, number]) => new Set(faults.filter((f) => inRange(f.va, r)).map((f) => Math.floor(Number(f.va) / 4096))).size

describe('a watch of memory that appears after it attached', () => {
  it('names the library loaded later, the grown heap and the new mapping, in the document and the live stream', async () => {
    const f = await startFixture<{ pid: number }>('late_map', [lib, '--pages', String(PAGES)])
    fixtures.push(f)
    const { pid } = f.info
    const watch = await WsWatchSession.start(loadAddon(), { pid })
    const updates: WatchUpdate[] = []
    const stream = new WatchStream(1, watch, (u) => updates.push(u))
    expect(mappingsOf(pid, lib)).toEqual([]) // not loaded yet: the map read at the start can't know it

    const reported = nextLine<LateReport>(f)
    f.proc.stdin!.write('go\n')
    const report = await reported
    // Its base, independently: the fixture's dladdr and the first mapping of the file in /proc/PID/maps.
    const maps = mappingsOf(pid, lib)
    const base = maps.find((m) => m.offset === 0)!.start
    expect(Number(report.base)).toBe(base)
    const libEnd = Math.max(...maps.map((m) => m.end))
    const heap = range(report.heap)
    const anon = range(report.anon)
    const data = range(report.data)
    const dataPages = (data[1] - data[0]) / report.page

    const libCount = () => watch.summary().byModule.find((m) => m.module === LIB)?.count ?? 0
    await expect.poll(libCount, { timeout: 10_000 }).toBeGreaterThanOrEqual(2 * PAGES + dataPages)
    const doc = await watch.stop()

    // The document: counts, and each record's module and region.
    expect(doc.summary.byModule.map((m) => m.module)).not.toContain('[unknown]')
    expect(doc.summary.byRegion.map((r) => r.region)).not.toContain('unknown')
    expect(doc.faults.filter((r) => r.module === '[unknown]' || r.region === 'unknown')).toEqual([])
    const onHeap = doc.faults.filter((r) => inRange(r.va, heap))
    const onAnon = doc.faults.filter((r) => inRange(r.va, anon))
    const onData = doc.faults.filter((r) => inRange(r.va, data))
    expect(pagesIn(onHeap, heap)).toBe(PAGES)
    expect(pagesIn(onAnon, anon)).toBe(PAGES)
    expect(pagesIn(onData, data)).toBe(dataPages)
    expect(onHeap.every((r) => r.module === LIB && r.region === 'heap')).toBe(true)
    expect(onAnon.every((r) => r.module === LIB && r.region === 'anon')).toBe(true)
    expect(onData.every((r) => r.module === LIB && r.region === 'image')).toBe(true)
    // Faults on the library's own code pages (its first call) are the library's too.
    const onCode = doc.faults.filter((r) => Number(r.va) >= base && Number(r.va) < libEnd && !inRange(r.va, data))
    expect(onCode.length).toBeGreaterThan(0)
    expect(onCode.every((r) => r.region === 'image')).toBe(true)

    // Top pcs: the library's, as lib+offset from its base.
    const top = doc.summary.topPcs[0]
    expect(Number(top.pc)).toBeGreaterThanOrEqual(base)
    expect(Number(top.pc)).toBeLessThan(libEnd)
    for (const p of doc.summary.topPcs.filter((p) => Number(p.pc) >= base && Number(p.pc) < libEnd)) {
      expect(p.symbol).toBe(`${LIB}+0x${(Number(p.pc) - base).toString(16)}`)
    }
    expect(top.count).toBeGreaterThanOrEqual(2 * PAGES) // one loop touched the heap and the mapping

    // The live stream: the same attribution, in its counts, its regions and its records.
    const last = updates.at(-1)!
    expect(last.running).toBe(false)
    expect(last.byModule).toEqual(doc.summary.byModule)
    expect(last.topPcs).toEqual(doc.summary.topPcs)
    const names = updates.findLast((u) => u.moduleNames)!.moduleNames!
    const bucketed = new Map<string, number>()
    for (const b of updates.flatMap((u) => u.buckets))
      for (let k = 0; k < b.modules.length; k += 2) bucketed.set(names[b.modules[k]], (bucketed.get(names[b.modules[k]]) ?? 0) + b.modules[k + 1])
    expect(bucketed.get(LIB)).toBe(libCount())
    expect(bucketed.has('[unknown]')).toBe(false)
    const regions = updates.flatMap((u) => u.regions ?? [])
    expect(regions.some((r) => r.kind === 'heap' && Number(r.start) <= heap[0] && heap[1] <= Number(r.end))).toBe(true)
    expect(regions.some((r) => r.kind === 'anon' && Number(r.start) <= anon[0] && anon[1] <= Number(r.end))).toBe(true)
    const mine = stream.query({ watchId: 1, module: LIB, limit: 100_000 })
    expect(mine.records.filter((r) => inRange(r.va, heap)).every((r) => r.region === 'heap' && r.symbol.startsWith(`${LIB}+0x`))).toBe(true)
    expect(mine.records.filter((r) => inRange(r.va, anon))).toHaveLength(onAnon.length)
    expect(mine.summary.topPcs[0].symbol).toBe(top.symbol)
  })

  it('names the code of the library while it is mapped, and keeps its names and module once it is unloaded', async () => {
    const f = await startFixture<{ pid: number }>('late_map', [lib, '--pages', String(PAGES)])
    fixtures.push(f)
    const { pid } = f.info
    const watch = await WsWatchSession.start(loadAddon(), { pid })
    const stream = new WatchStream(2, watch, () => {})
    const reported = nextLine<LateReport>(f)
    f.proc.stdin!.write('go\n')
    const report = await reported
    const base = Number(report.base)
    const libEnd = Math.max(...mappingsOf(pid, lib).map((m) => m.end))
    const libPcs = () => [...new Set(stream.query({ watchId: 2, module: LIB, limit: 100_000 }).records.map((r) => Number(r.pc)))]
    await expect.poll(() => libPcs().length > 0 && libPcs().every((pc) => watch.symbols.cached(pc) !== undefined), { timeout: 10_000 }).toBe(true)
    const pcs = libPcs()

    const closed = nextLine<{ closed: boolean; anon: [string, string] }>(f)
    f.proc.stdin!.write('close\n')
    const after = await closed
    expect(mappingsOf(pid, lib)).toEqual([])
    const more = range(after.anon)
    await expect.poll(() => watch.summary().byRegion.find((r) => r.region === 'anon')?.count ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(2 * PAGES)
    const doc = await watch.stop()
    // The map was read again after the close: the new mapping is known (and the library gone from it).
    expect(doc.faults.filter((r) => inRange(r.va, more)).every((r) => r.region === 'anon')).toBe(true)

    // What eu-addr2line says of each pc, from the library file at the pc's offset.
    const offsets = pcs.map((pc) => pc - base)
    const lines = execFileSync('eu-addr2line', ['-f', '-e', lib, ...offsets.map((o) => '0x' + o.toString(16))], { encoding: 'utf8' }).trim().split('\n')
    const expected = new Map(offsets.map((o, i) => [o, lines[2 * i] === '??' ? null : lines[2 * i]]))
    expect([...expected.values()]).toContain('late_touch')
    const table = new Map((doc.symbols ?? []).map((s) => [Number(s.address), s]))
    for (const pc of pcs) {
      expect(table.get(pc), `pc 0x${pc.toString(16)}`).toMatchObject({ module: LIB, moduleOffset: pc - base, function: expected.get(pc - base) })
    }
    const inLib = doc.summary.topPcs.filter((p) => Number(p.pc) >= base && Number(p.pc) < libEnd)
    expect(inLib.length).toBeGreaterThan(0)
    for (const p of inLib) {
      const offset = Number(p.pc) - base
      expect(p).toMatchObject({ symbol: `${LIB}+0x${offset.toString(16)}`, module: LIB, moduleOffset: offset })
      // named while mapped (code that ran in dlclose, its destructors, was named too late for a function)
      if (pcs.includes(Number(p.pc))) expect(p.function ?? null).toBe(expected.get(offset))
    }
    expect(doc.summary.topPcs[0].function).toBe('late_touch')
  })
})

describe('a watch across an exec that puts other code at the same addresses', () => {
  it('names the code the new image has there, not what the old one had', async () => {
    // Two builds of one source, non-PIE (same addresses), the same file name in two folders: only the name of the touching function differs.
    const build = (sub: string, touch: string) => {
      const out = path.join(dir, sub, 'toucher')
      fs.mkdirSync(path.dirname(out), { recursive: true })
      execFileSync('cc', ['-no-pie', '-O2', `-DTOUCH=${touch}`, '-o', out, path.join(__dirname, '../../native/test/fixtures/exec_into.c')])
      return out
    }
    const [first, second] = [build('a', 'alpha_touch'), build('b', 'omega_touch')]
    const proc = spawn(first, [second], { stdio: ['pipe', 'pipe', 'inherit'] })
    const f = { proc, info: null, stop: async () => void proc.stdin.end() } as unknown as RunningFixture<unknown>
    fixtures.push(f)
    const started = await nextLine<{ pid: number; touch: string }>(f)
    const watch = await WsWatchSession.start(loadAddon(), { pid: started.pid })
    const topName = () => watch.summary().topPcs[0]?.function
    const touched = nextLine(f)
    proc.stdin.write('go\n')
    await touched
    await expect.poll(topName, { timeout: 10_000 }).toBe('alpha_touch')
    const pc = watch.summary().topPcs[0].pc

    const again = nextLine<{ touch: string }>(f)
    proc.stdin.write('exec\n')
    expect((await again).touch).toBe(started.touch) // the other function, at the same address
    await expect.poll(() => watch.summary().topPcs[0].count, { timeout: 10_000 }).toBeGreaterThanOrEqual(128)
    await expect.poll(topName, { timeout: 10_000 }).toBe('omega_touch')
    const [expected] = await addr2line(started.pid, [BigInt(pc)])
    const doc = await watch.stop()
    expect(doc.summary.topPcs[0]).toMatchObject({ pc, module: 'toucher', function: expected.function })
    expect(doc.symbols!.find((s) => s.address === pc)!.function).toBe('omega_touch')
  })
})

