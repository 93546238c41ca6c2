import { describe, expect, it } from 'vitest'
import { makeFile } from '../../../src-main/core/files/snapshotFile'
import { HOST, at, heapWalksDoc, proc, sample, snapshotDoc, timelineDoc, watchDoc } from '../../../test-support/testDocs'
import { compare } from './diff'
import { NothingToCompare } from './observation'

const file = (...items: Parameters<typeof makeFile>[0]) => makeFile(items, HOST)

describe('compare', () => {
  it('names processes started and exited, a reused pid included, and thread and module changes', () => {
    const a = file(snapshotDoc([proc(100), proc(200), proc(300, { threadCount: 4 })]))
    const b = file(
      snapshotDoc([proc(100), proc(200, { startTime: at(5_000) }), proc(300, { threadCount: 9, workingSetBytes: 30 << 20 }), proc(400)], {
        takenAt: at(120_000),
        modules: [...snapshotDoc([proc(100)]).modules, { pid: 100, moduleName: 'libnew.so', exePath: '/usr/lib/libnew.so', baseAddress: '0x7f1000000000', baseSize: 4096, deleted: false }]
      })
    )
    const d = compare({ file: a, name: 'a' }, { file: b, name: 'b' })
    expect(d.format).toBe('snapscope.diff/1')
    expect(d.elapsedMs).toBe(120_000)
    expect(d.processes!.started.map((p) => p.pid).sort()).toEqual([200, 400])
    expect(d.processes!.exited.map((p) => p.pid)).toEqual([200])
    expect(d.processes!.changed[0]).toMatchObject({ pid: 300, workingSet: { delta: 20 << 20 }, threads: { a: 4, b: 9, delta: 5 } })
    expect(d.threads!.byProcess[0]).toMatchObject({ pid: 300, threads: { delta: 5 } })
    expect(d.threads!.started).toBeGreaterThan(0)
    expect(d.modules).toMatchObject({ pid: 100, loaded: [{ moduleName: 'libnew.so' }], unloaded: [] })
  })

  it('compares heap size classes and names the class that grew as a suspect, with the numbers', () => {
    const a = file(snapshotDoc([proc(7)]), heapWalksDoc(7, [100, 50, 20, 5]))
    const b = file(snapshotDoc([proc(7)], { takenAt: at(60_000) }), heapWalksDoc(7, [101, 50, 2_020, 5], at(60_000)))
    const d = compare({ file: a, name: 'before' }, { file: b, name: 'after' })
    const row = d.heap!.sizeClasses.find((r) => r.minSize === 65)!
    expect(row).toMatchObject({ maxSize: 128, count: { a: 20, b: 2020, delta: 2000 }, bytes: { delta: 2000 * 128 } })
    expect(d.suspects[0]).toMatchObject({ kind: 'size-class', sizeClass: { minSize: 65, maxSize: 128 }, change: { delta: 2000 }, steady: null })
    expect(d.suspects[0].evidence).toBe('Blocks of 65–128 B: 20 → 2,020 (+2,000, +10,000%; +2,000/min)')
    // One block more in a class is noise, not a suspect.
    expect(d.suspects.some((s) => s.sizeClass?.minSize === 17)).toBe(false)
    expect(d.suspects.some((s) => s.kind === 'heap-bytes')).toBe(true)
  })

  it('reads a timeline as first sample (A) to last (B), and flags what grew in most steps', () => {
    const samples = [0, 1, 2, 3, 4, 5].map((i) =>
      sample(i * 10_000, { counts: [10, 10 + 100 * i, 10 + (i % 2)], threadCount: 4 + i, privateBytes: (4 << 20) + i * (1 << 20) })
    )
    const t = file(timelineDoc(samples))
    const d = compare({ file: t, name: 't' }, { file: t, name: 't' })
    expect(d.a.kinds).toEqual(['timeline (first of 6 samples)'])
    expect(d.elapsedMs).toBe(50_000)
    const byKind = Object.fromEntries(d.suspects.map((s) => [s.kind, s]))
    expect(byKind['size-class']).toMatchObject({ steady: true, rising: { steps: 5, of: 5 }, change: { a: 10, b: 510 } })
    expect(byKind['size-class'].perMinute).toBeCloseTo(600)
    expect(byKind['private-bytes']).toMatchObject({ steady: true, change: { delta: 5 << 20 } })
    expect(byKind['thread-count']).toMatchObject({ steady: true, change: { a: 4, b: 9 } })
    // The class that goes up and down is not steady growth.
    expect(d.suspects.filter((s) => s.kind === 'size-class')).toHaveLength(1)
    expect(d.modules!.loaded.map((m) => m.moduleName)).toEqual(['plugin.so'])
  })

  it('compares one item of a file, says when the pids differ, and refuses what has nothing to compare', () => {
    const f = file(snapshotDoc([proc(1)]), heapWalksDoc(1, [1]))
    const g = file(heapWalksDoc(2, [1]))
    const d = compare({ file: f, name: 'f', item: 1 }, { file: g, name: 'g' })
    expect(d.a.label).toBe('f #1')
    expect(d.notes.join(' ')).toMatch(/A is process 1 and B is process 2/)
    expect(() => compare({ file: file(watchDoc()), name: 'w' }, { file: f, name: 'f' })).toThrow(NothingToCompare)
    expect(() => compare({ file: f, name: 'f', item: 5 }, { file: f, name: 'f' })).toThrow(/has no item #5/)
  })
})
