import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { DEFAULT_LIMITS, FileFormatError, parseSnapscopeFile, readSnapscopeFile, type LoadLimits } from './loader'
import { encodeFile, makeFile } from './snapshotFile'
import { emptyObjectsBomb } from '../../../test-support/bombs'
import { HOST, heapWalksDoc, namedWatchDoc, proc, sample, snapshotDoc, symbolsDoc, timelineDoc, watchDoc } from '../../../test-support/testDocs'
import { FILE_FORMAT } from '../../../src-common/contract/fileTypes'

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v))

async function failure(bytes: Uint8Array, limits?: LoadLimits): Promise<string> {
  try {
    await parseSnapscopeFile(bytes, 'snap.snapscope', limits)
  } catch (err) {
    expect(err).toBeInstanceOf(FileFormatError)
    expect((err as FileFormatError).code).toBe('EBADFILE')
    return (err as Error).message
  }
  throw new Error('expected the file to be refused')
}

describe('Snapscope files', () => {
  const file = makeFile([snapshotDoc([proc(10), proc(11)]), heapWalksDoc(10, [5, 6, 7]), timelineDoc([sample(0), sample(10_000)]), watchDoc(), namedWatchDoc(), symbolsDoc()], HOST)

  it('round-trips every kind of item through gzip', async () => {
    const bytes = await encodeFile(file)
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b])
    const back = await parseSnapscopeFile(bytes, 'x.snapscope')
    expect(back).toEqual(file)
  })

  it('reads the plain JSON the command writes, as a one-item file', async () => {
    for (const doc of [snapshotDoc([proc(3)]), heapWalksDoc(3, [1]), heapWalksDoc(3, [1]).heaps[0], watchDoc(3), namedWatchDoc(3), timelineDoc([sample(0)]), symbolsDoc(3)]) {
      const back = await parseSnapscopeFile(Buffer.from('\n  ' + JSON.stringify(doc, null, 2)), 'plain.json')
      expect(back.format).toBe(FILE_FORMAT)
      expect(back.items).toEqual([doc])
    }
  })

  it('fills the optional extras of a process and ignores fields it does not know', async () => {
    const minimal = { pid: 5, parentPid: 1, exeFile: 'x', threadCount: 1, basePriority: 20, future: { deep: [[[1]]] } }
    const back = await parseSnapscopeFile(json({ ...snapshotDoc([]), processes: [minimal], newField: 1 }), 'old.json')
    const p = (back.items[0] as ReturnType<typeof snapshotDoc>).processes[0]
    expect(p).toMatchObject({ pid: 5, cmdline: [], user: '', workingSetBytes: 0 })
    expect(p).not.toHaveProperty('future')
    expect(back.items[0]).not.toHaveProperty('newField')
  })

  it('says what is wrong, and where', async () => {
    const snap = snapshotDoc([proc(1), proc(2)])
    const cases: [Uint8Array, RegExp][] = [
      [Buffer.alloc(0), /snap\.snapscope: empty file/],
      [Buffer.from('PK\x03\x04 a zip file'), /not a Snapscope file \(gzip header missing, and not JSON\)/],
      [gzipSync(json(snap)).subarray(0, 40), /truncated/],
      [Buffer.from([...gzipSync(json(snap)).subarray(0, 30), 0xde, 0xad, 0xbe, 0xef]), /truncated|corrupt compressed data/],
      [Buffer.concat([gzipSync(json(snap)), Buffer.from('trailing junk')]), /corrupt compressed data/],
      [Buffer.from('{"format": "snapscope.snapshot/1", '), /not valid JSON/],
      [Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), /not UTF-8 text/],
      [json({ hello: 1 }), /format: missing \(not a Snapscope document\)/],
      [json({ format: 'something/1' }), /"something\/1" is not a Snapscope format/],
      [json({ format: 'snapscope.file/2' }), /written by a newer Snapscope/],
      [json({ ...snap, processes: [proc(1), { ...proc(2), pid: '2' }] }), /snap\.snapscope: processes\[1\]\.pid: expected an integer, got string/],
      [json({ ...makeFile([snap, { ...heapWalksDoc(1, [1]), pid: -1 }], HOST) }), /items\[1\]\.pid: -1 is out of range/],
      [json({ ...makeFile([{ format: 'snapscope.bogus/1' } as never], HOST) }), /items\[0\]\.format: "snapscope\.bogus\/1" is not a document Snapscope reads/],
      [json({ ...snap, takenAt: 'yesterday' }), /takenAt: expected an ISO-8601 time/],
      [json({ ...timelineDoc([sample(0), sample(1)]), modules: [{ moduleName: 'x', exePath: '/x', firstSample: 1, lastSample: 2 }] }), /modules\[0\]: samples 1\.\.2 are not among the 2 samples/],
      [json({ ...snap, modules: [{ ...snap.modules[0], baseAddress: '0xZZ' }] }), /modules\[0\]\.baseAddress: expected an address/],
      [json({ ...snap, processes: [{ ...proc(1), exeFile: 'x'.repeat(5000) }] }), /processes\[0\]\.exeFile: longer than 4096 characters/],
      [json({ ...heapWalksDoc(1, []), heaps: [{ ...heapWalksDoc(1, []).heaps[0], summary: { ...heapWalksDoc(1, []).heaps[0].summary, histogram: histogramOf(300) } }] }), /histogram: more than 256 items/],
      [json({ format: 'snapscope.snapshot/1', x: '['.repeat(100) + ']'.repeat(100), y: JSON.parse('['.repeat(40) + ']'.repeat(40)) }), /nested deeper than 32 levels/]
    ]
    for (const [bytes, expected] of cases) expect(await failure(bytes)).toMatch(expected)
  })

  it('stops at its size limits: the file, and what it decompresses to', async () => {
    const limits = { ...DEFAULT_LIMITS, maxFileBytes: 1 << 20, maxJsonBytes: 64 << 10 }
    expect(await failure(Buffer.alloc(2 << 20, 0x20), limits)).toMatch(/past the 1.0 MiB limit for a file/)
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"format":"snapscope.snapshot/1","pad":"'), Buffer.alloc(10 << 20, 0x61), Buffer.from('"}')]))
    expect(bomb.length).toBeLessThan(1 << 20)
    expect(await failure(bomb, limits)).toMatch(/decompresses past the 64.0 KiB limit/)
    expect(await failure(Buffer.from(`{"pad":"${'a'.repeat(70 << 10)}"}`), limits)).toMatch(/bytes of JSON is past the/)
  })

  it('reads a named file only up to its limit, whatever its size says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapscope-read-'))
    const big = join(dir, 'big.json')
    writeFileSync(big, `{"pad":"${'a'.repeat(3 << 20)}"}`)
    const limits = { ...DEFAULT_LIMITS, maxFileBytes: 1 << 20 }
    await expect(readSnapscopeFile(big, limits)).rejects.toThrow(new FileFormatError('big.json: past the 1.0 MiB limit for a file'))
    // Its size says 0, and reading it all would take gigabytes.
    await expect(readSnapscopeFile('/proc/self/pagemap')).rejects.toThrow(/pagemap: not a Snapscope file/)
    await expect(readSnapscopeFile('/dev/zero')).rejects.toThrow(/zero: not a regular file/)
  })

  it('never executes or follows what a file says: prototype keys stay data', async () => {
    const hostile = `{"format":"snapscope.snapshot/1","__proto__":{"polluted":1},"takenAt":"2025-01-01T00:00:00Z","host":${JSON.stringify(HOST)},"include":["process"],"targetPid":null,"processes":[{"pid":1,"parentPid":0,"exeFile":"x","threadCount":1,"basePriority":20,"constructor":{"prototype":{"polluted":2}}}],"threads":[],"modules":[],"heapLists":[],"errors":[]}`
    const back = await parseSnapscopeFile(Buffer.from(hostile), 'h.json')
    expect(({} as { polluted?: number }).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(back.items[0])).toBe(Object.prototype)
  })
})

function histogramOf(n: number) {
  return Array.from({ length: n }, (_, i) => ({ minSize: i, maxSize: i, count: 0, bytes: 0 }))
}

describe('files built to exhaust the parser', () => {
  it('refuses 256 MiB of `{},` (a 260 KB file) in seconds, in one array or in arrays of arrays', async () => {
    for (const nested of [false, true]) {
      const bomb = await emptyObjectsBomb(256 << 20, nested)
      expect(bomb.length).toBeLessThan(1 << 20)
      const started = performance.now()
      expect(await failure(bomb)).toMatch(/snap\.snapscope: too many objects and arrays \(more than 6,000,000\): not a file Snapscope wrote/)
      expect(performance.now() - started).toBeLessThan(10_000)
    }
  }, 60_000)

  it('counts each limit: elements of an array, fields of an object, values, objects and arrays', async () => {
    const small = { ...DEFAULT_LIMITS, maxArrayItems: 10, maxMembers: 5, maxElements: 40, maxContainers: 8 }
    const doc = (pad: unknown) => json({ format: 'snapscope.snapshot/1', pad })
    expect(await failure(doc(Array(11).fill(0)), small)).toMatch(/more than 10 elements in one array \(at byte \d+\): not a file Snapscope wrote/)
    expect(await failure(doc(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, 0]))), small)).toMatch(/more than 5 fields in one object/)
    expect(await failure(doc(Array.from({ length: 5 }, () => Array(9).fill('"x"'))), small)).toMatch(/too many elements \(more than 40\)/)
    expect(await failure(doc(Array(8).fill([])), small)).toMatch(/too many objects and arrays \(more than 8\)/)
    // Brackets, commas and escaped quotes inside strings are text, not structure.
    expect(await failure(doc(['[[[{,,,', '\\"],', '\\\\']), small)).toMatch(/takenAt: expected a string/)
  })

  it('still opens a large file Snapscope writes: a heap walk of half a million blocks', async () => {
    const walk = heapWalksDoc(7, [1])
    const blocks = Array.from({ length: 500_000 }, (_, i) => ({ address: `0x${(0x55d0c8a20000 + i * 32).toString(16)}`, blockSize: 32, flags: 'fixed' as const }))
    const big = { ...walk, heaps: [{ ...walk.heaps[0], blocks }] }
    const back = await parseSnapscopeFile(await encodeFile(makeFile([big], HOST)), 'big.snapscope')
    expect((back.items[0] as typeof big).heaps[0].blocks).toHaveLength(500_000)
  }, 60_000)
})
