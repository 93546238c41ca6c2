// An allocations document as the trace service makes it (scripted batches, names from a real python3's
// libc), through what users do with it: a .snapscope file and back, redaction, pprof (decoded again
// with pprof-format), every report format (HTML, CSV, JSON, PDF by the real Chromium) and a compare.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AllocsDoc } from '../../../src-common/contract/allocTypes'
import { compare } from '../../../src-common/model/diff/diff'
import { HOST } from '../../../test-support/testDocs'
import { scriptedDoc, startLibcPython, type LibcPython, type ScriptedStack } from '../../../test-support/scriptedTrace'
import { parseSnapscopeFile } from '../files/loader'
import { redactFile } from '../files/redact'
import { encodeFile, makeFile } from '../files/snapshotFile'
import { diffReport, fileReport } from '../report/build'
import { exportReport } from '../report/export'
import { findChromium } from '../report/pdf'
import { PPROF_SAMPLE_TYPES, encodePprof } from './pprof'
import { Library, VIEW_ALLOC_STACKS } from '../workbench/library'

let py: LibcPython
let doc: AllocsDoc
const STACKS: ScriptedStack[] = [
  { frames: ['qsort', 'bsearch', 'strtol'], allocations: 100, bytes: 4_800, leakedBlocks: 100, leakedBytes: 4_800 },
  { frames: ['getenv', 'strtol'], allocations: 50, bytes: 1_600, temporary: 50 }
]

beforeAll(async () => {
  py = await startLibcPython()
  doc = await scriptedDoc(py, STACKS)
})
afterAll(() => py.stop())

describe('an allocations document', () => {
  it('is saved in a .snapscope file and read back as it was; its plain JSON loads too', async () => {
    const back = await parseSnapscopeFile(await encodeFile(makeFile([doc], HOST)), 'allocs.snapscope')
    expect(back.items).toEqual([doc])
    const plain = await parseSnapscopeFile(Buffer.from(JSON.stringify(doc)), 'allocs.json')
    expect(plain.items[0]).toEqual(doc)
    // the shape ALLOCS.md gives, without the optional fields, loads too
    const { startedAt: _s, endReason: _e, omittedStacks: _o, ...bare } = doc
    expect((await parseSnapscopeFile(Buffer.from(JSON.stringify(bare)), 'bare.json')).items[0]).toEqual(bare)
    await expect(parseSnapscopeFile(Buffer.from(JSON.stringify({ ...doc, stacks: [{ ...doc.stacks[0], leaked: { blocks: -1, bytes: 0 } }] })), 'bad.json')).rejects.toThrow(
      /stacks\[0\]\.leaked\.blocks/
    )
  })

  it('loses the directories of its source files when redacted', () => {
    const file = doc.stacks[0].frames[0].file!
    expect(file).toMatch(/\//)
    const r = redactFile(makeFile([doc], HOST))
    const frame = (r.items[0] as AllocsDoc).stacks[0].frames[0]
    expect(frame.file).not.toContain(file.slice(0, file.lastIndexOf('/')))
    expect(frame.file!.endsWith(file.slice(file.lastIndexOf('/')))).toBe(true)
    expect(r.redaction!.paths).toBeGreaterThan(0)
  })

  it('is a pprof profile that decodes again: one sample per stack, its frames as named locations, innermost first', () => {
    const profile = Profile.decode(gunzipSync(encodePprof(doc)))
    const str = (i: number | bigint) => profile.stringTable.strings[Number(i)]
    expect(profile.sampleType.map((t) => [str(t.type), str(t.unit)])).toEqual(PPROF_SAMPLE_TYPES.map((t) => [...t]))
    expect(str(profile.defaultSampleType)).toBe('leaked_space')
    expect(profile.sample.map((s) => s.value.map(Number))).toEqual(doc.stacks.map((s) => [s.allocations, s.bytes, s.temporary, s.leaked.blocks, s.leaked.bytes]))
    const fn = new Map(profile.function.map((f) => [Number(f.id), str(f.name)]))
    const loc = new Map(profile.location.map((l) => [Number(l.id), l]))
    const stackNames = profile.sample.map((s) => s.locationId.flatMap((id) => loc.get(Number(id))!.line.map((l) => fn.get(Number(l.functionId)))))
    expect(stackNames).toEqual(doc.stacks.map((s) => s.frames.map((f) => f.function)))
    expect(stackNames[0]).toEqual(['qsort', 'bsearch', 'strtol'])
    // strtol is one location, shared by both stacks
    expect(profile.location).toHaveLength(4)
    expect(Number(loc.get(Number(profile.sample[0].locationId[0]))!.address)).toBe(Number(doc.stacks[0].frames[0].address))
  })

  it('is a section of every report format, its stacks a table', async () => {
    const model = fileReport(makeFile([doc], HOST), 'allocs.snapscope')
    const [html] = await exportReport(model, 'html', { baseName: 'allocs' })
    expect(html.data).toContain(`Allocations of pid ${py.pid}`)
    expect(html.data).toMatch(/qsort \(msort\.c:\d+\)/)
    expect(html.data).toContain('qsort ← bsearch ← strtol')
    const csv = await exportReport(model, 'csv', { baseName: 'allocs' })
    const stacks = csv.find((f) => f.name === 'allocs-item0-stacks.csv')!.data as string
    const lines = stacks.trim().split('\r\n')
    expect(lines[0]).toBe('Allocated at,Leaked bytes (bytes),Leaked blocks,Allocations,Bytes (bytes),Temporary,Peak (bytes),Call chain')
    expect(lines).toHaveLength(3)
    expect(lines[1]).toMatch(/^qsort \(msort\.c:\d+\),4800,100,100,4800,0,4800,qsort ← bsearch ← strtol$/)
    const [json] = await exportReport(model, 'json', { baseName: 'allocs' })
    const parsed = JSON.parse(json.data as string)
    expect(parsed.sections[0].cards.find((c: { label: string }) => c.label === 'Leaked').value).toBe('4.7 KiB')
  })

  it.skipIf(!findChromium())('prints as PDF with its stacks in it', async () => {
    const [pdf] = await exportReport(fileReport(makeFile([doc], HOST), 'allocs.snapscope'), 'pdf', { baseName: 'allocs' })
    const dir = mkdtempSync(join(tmpdir(), 'allocs-pdf-'))
    try {
      writeFileSync(join(dir, 'a.pdf'), pdf.data)
      const text = execFileSync('pdftotext', ['-layout', join(dir, 'a.pdf'), '-'], { encoding: 'utf8' })
      expect(text).toContain(`Allocations of pid ${py.pid}`)
      expect(text).toContain('Allocation stacks (most leaked first)')
      // the chain wraps in its narrow column
      expect(text).toContain('qsort ← bse')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it('reaches the views with its most leaking stacks only, the rest counted; its stacks share their frames', async () => {
    const fns = ['qsort', 'bsearch', 'strtol', 'getenv', 'rand', 'abs'] as const
    // 6^5 distinct five-frame stacks, each leaking its index in bytes
    const many: ScriptedStack[] = Array.from({ length: VIEW_ALLOC_STACKS + 100 }, (_, i) => ({
      frames: [0, 1, 2, 3, 4].map((d) => fns[Math.floor(i / 6 ** d) % 6]),
      allocations: 1,
      bytes: i + 1,
      leakedBlocks: 1,
      leakedBytes: i + 1
    }))
    const big = await scriptedDoc(py, many)
    expect(big.stacks).toHaveLength(many.length)
    // one frame object per address, whichever stacks hold it
    const [first] = big.stacks
    const other = big.stacks.find((s) => s !== first && s.frames[1].address === first.frames[1].address)!
    expect(other.frames[1]).toBe(first.frames[1])
    const view = new Library().add(makeFile([big], HOST), 'big.snapscope', 0).items[0] as AllocsDoc
    expect(view.stacks).toEqual(big.stacks.slice(0, VIEW_ALLOC_STACKS))
    expect(view.stacks[0].leaked.bytes).toBe(many.length)
    expect(view.omittedStacks).toBe(100)
  }, 60_000)

  it('compares with a later trace: the stacks that leaked more, in the compare and its report', async () => {
    const later = await scriptedDoc(py, [{ ...STACKS[0], allocations: 150, bytes: 7_200, leakedBlocks: 150, leakedBytes: 7_200 }, STACKS[1]])
    const d = compare({ file: makeFile([doc], HOST), name: 'a' }, { file: makeFile([later], HOST), name: 'b' })
    expect(d.allocs!.grew).toHaveLength(1)
    expect(d.allocs!.grew[0]).toMatchObject({ leakedBytes: { a: 4_800, b: 7_200, delta: 2_400 } })
    expect(d.suspects).toHaveLength(1)
    expect(d.suspects[0]).toMatchObject({ kind: 'alloc-stack', change: { a: 100, b: 150, delta: 50 } })
    expect(d.suspects[0].evidence).toMatch(/^Blocks left live by qsort \(msort\.c:\d+\): 100 → 150 \(\+50, \+50%\)$/)
    const [html] = await exportReport(diffReport(d, [makeFile([doc], HOST), makeFile([later], HOST)]), 'html', { baseName: 'd' })
    expect(html.data).toContain('Stacks that leaked more in B')
    expect(html.data).toContain('qsort ← bsearch ← strtol')
  })
})
