// Compares with leak scans and block lists, on real scans of leak_fixture: "lost since A" lists exactly
// the lost blocks B has and A had not, grouped as the scan groups them; a size class that grew links to
// its lost blocks when B carries a scan; and names the exact block sizes that grew where both sides list
// their blocks.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadAddon } from '../../../native/index'
import { startFixture, type RunningFixture } from '../../../native/test/fixtures'
import type { LeaksDoc } from '../../../src-common/contract/leakTypes'
import { compare } from '../../../src-common/model/diff/diff'
import { groupLeakBlocks } from '../../../src-common/model/leaks/leakBlocks'
import { HOST } from '../../../test-support/testDocs'
import { captureNow } from '../capture/fullCapture'
import { diffReport } from '../report/build'
import { renderText } from '../report/text'
import { makeFile } from '../files/snapshotFile'
import { scanLeaks } from './leakScan'
import { walkHeaps } from '../heapWalk'

const addon = loadAddon()
const running: RunningFixture<{ pid: number }>[] = []
afterAll(async () => {
  for (const f of running) await f.stop()
})
async function fixture(args: string[]) {
  const f = await startFixture<{ pid: number }>('leak_fixture', ['--truth', join(mkdtempSync(join(tmpdir(), 'snapscope-leaks-')), 'truth.txt'), ...args])
  running.push(f)
  return f.info.pid
}
/** the scan's groups without their examples (which blocks a group shows is the scanner's choice) */
const shape = (groups: LeaksDoc['groups']) => groups.map(({ examples, ...g }) => ({ ...g, examples: examples.length > 0 }))

describe('compares of leak scans', () => {
  it('lost since A: the lost blocks of B that A did not have, grouped as the scan groups them', async () => {
    const b = await scanLeaks(addon, { pid: await fixture(['--bulk', '2000', '--bulk-size', '200']), blocks: true }).result
    // The groups the app makes from blocks are the scanner's own.
    expect(shape(groupLeakBlocks(b.blocks!))).toEqual(shape(b.groups))
    // A: the same scan without every other lost block (as if they were lost later)
    const lost = b.blocks!.filter((x) => x.kind !== 'reachable')
    const later = new Set(lost.filter((_, i) => i % 2 === 0).map((x) => x.address))
    const a: LeaksDoc = { ...b, blocks: b.blocks!.filter((x) => !later.has(x.address)) }
    const diff = compare({ file: makeFile([a], HOST), name: 'a' }, { file: makeFile([b], HOST), name: 'b' })
    expect(diff.lostSince!.groups.flatMap((g) => g.examples).every((x) => later.has(x))).toBe(true)
    expect(diff.lostSince!.groups.reduce((n, g) => n + g.count, 0)).toBe(later.size)
    expect(diff.lostSince!.totals.definitelyLost.blocks + diff.lostSince!.totals.indirectlyLost.blocks + diff.lostSince!.totals.possiblyLost.blocks).toBe(later.size)
    // and in the compare's report
    const text = renderText(diffReport(diff, [makeFile([a], HOST), makeFile([b], HOST)]))
    expect(text).toContain(`Lost since A (pid ${b.pid})`)
    expect(text).toMatch(/definitely-lost\s+Widget/)
    // the same scan on both sides: nothing is new
    expect(compare({ file: makeFile([b], HOST), name: 'a' }, { file: makeFile([b], HOST), name: 'b' }).lostSince).toEqual({ pid: b.pid, totals: expect.anything(), groups: [] })
    // a scan without its blocks cannot say: a note, no lostSince
    const { blocks: _, ...bare } = a
    const unknown = compare({ file: makeFile([bare], HOST), name: 'a' }, { file: makeFile([b], HOST), name: 'b' })
    expect(unknown.lostSince).toBeNull()
    expect(unknown.notes.join(' ')).toMatch(/Only B of the leak scans lists its blocks/)
  })

  it('a size class that grew links to the lost blocks of that class in B', async () => {
    const before = await captureNow(addon, await fixture([]), { heap: true })
    const pid = await fixture(['--bulk', '20000', '--bulk-size', '200'])
    const after = await captureNow(addon, pid, { heap: true })
    const scan = await scanLeaks(addon, { pid }).result
    const diff = compare({ file: before, name: 'before' }, { file: makeFile([...after.items, scan], HOST), name: 'after' })
    const suspect = diff.suspects.find((s) => s.sizeClass && s.sizeClass.minSize <= 200 && 200 <= s.sizeClass.maxSize)!
    expect(suspect).toBeDefined()
    const bulk = scan.groups.filter((g) => g.type === null && g.kind === 'definitely-lost' && g.blockSize! >= 200 && g.blockSize! <= suspect.sizeClass!.maxSize)
    expect(bulk.reduce((n, g) => n + g.count, 0)).toBeGreaterThanOrEqual(2000) // every 10th of 20,000
    expect(suspect.lost!.groups).toEqual(expect.arrayContaining(bulk))
    expect(suspect.lost!.blocks).toBe(suspect.lost!.groups.reduce((n, g) => n + g.count, 0))
  })

  it('a size class that grew names the exact block sizes that grew, from complete block lists', async () => {
    const walk = async (pid: number) => makeFile([await walkHeaps(addon, { pid }).result], HOST)
    const before = await walk(await fixture([]))
    const after = await walk(await fixture(['--bulk', '3000', '--bulk-size', '200']))
    const diff = compare({ file: before, name: 'before' }, { file: after, name: 'after' })
    const row = diff.heap!.sizeClasses.find((r) => r.minSize <= 200 && 200 <= r.maxSize)!
    // 200 bytes asked for: a block of 200 to 216 usable bytes (glibc's chunk rounding), 3,000 more of them
    const top = row.grewBySize![0]
    expect(top.size).toBeGreaterThanOrEqual(200)
    expect(top.size).toBeLessThanOrEqual(216)
    expect(top.count.delta).toBeGreaterThanOrEqual(3000)
    const suspect = diff.suspects.find((s) => s.sizeClass?.minSize === row.minSize)!
    expect(suspect.grewBySize![0]).toEqual(top)
    expect(suspect.evidence).toContain(`grew at ${top.size} B (+${top.count.delta.toLocaleString('en-US')} blocks)`)
    // the report's size-class table names them too
    expect(renderText(diffReport(diff, [before, after]))).toContain(`${top.size} B (+${top.count.delta.toLocaleString('en-US')} blocks)`)
    // without block lists (summaries only) no exact size is claimed
    const bare = compare({ file: await captureNow(addon, await fixture([]), { heap: true }), name: 'a' }, { file: after, name: 'b' })
    expect(bare.heap!.sizeClasses.every((r) => r.grewBySize === undefined)).toBe(true)
  })
})
