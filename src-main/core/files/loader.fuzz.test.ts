// The loader against random and mutated files: every input either opens (and then its report and a
// compare of it work too) or is refused with a FileFormatError; none crashes, hangs or takes long.
// SNAPSCOPE_FUZZ_SEED and SNAPSCOPE_FUZZ_RUNS replay or lengthen a run.
import { describe, expect, it } from 'vitest'
import { gzipSync } from 'node:zlib'
import { compare } from '../../../src-common/model/diff/diff'
import { NothingToCompare } from '../../../src-common/model/diff/observation'
import { diffReport, fileReport } from '../report/build'
import { exportReport } from '../report/export'
import { rng } from '../../../test-support/fuzzCases'
import { DEFAULT_LIMITS, FileFormatError, parseSnapscopeFile } from './loader'
import { encodeFile, makeFile } from './snapshotFile'
import { HOST, heapWalksDoc, namedWatchDoc, proc, sample, snapshotDoc, symbolsDoc, timelineDoc, watchDoc } from '../../../test-support/testDocs'
import type { SnapscopeFile } from '../../../src-common/contract/fileTypes'

const SEED = Number(process.env.SNAPSCOPE_FUZZ_SEED ?? 0x5eed)
const RUNS = Number(process.env.SNAPSCOPE_FUZZ_RUNS ?? 1500)
const LIMITS = { ...DEFAULT_LIMITS, maxFileBytes: 4 << 20, maxJsonBytes: 8 << 20 }
/** far above what one input takes; a loop or a quadratic blow-up would pass it */
const SLOW_MS = 3_000

const random = rng(SEED)
const int = (n: number): number => Math.floor(random() * n)
const pick = <T>(list: readonly T[]): T => list[int(list.length)]

const HOSTILE_VALUES: unknown[] = [
  null, true, -1, 0, 1.5, 3, 1000, 2 ** 53, -(2 ** 63), 1e308, '', 'x'.repeat(10_000), '0x', '0xffffffffffffffffff', '__proto__',
  '<script>alert(1)</script>', '\u0000\u202e', [], {}, [[[[[]]]]], { format: 'snapscope.snapshot/1' }, Array(5000).fill(7),
  JSON.parse('['.repeat(31) + ']'.repeat(31))
]

/** Replaces one random node of a JSON value (walking down from the root) with a hostile value. */
function mutateValue(root: unknown): unknown {
  const path: (string | number)[] = []
  let node = root
  while (node && typeof node === 'object' && random() < 0.8) {
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node)
    if (keys.length === 0) break
    const k = pick(keys as (string | number)[])
    path.push(k)
    node = (node as Record<string | number, unknown>)[k]
  }
  const value = random() < 0.1 ? undefined : structuredClone(pick(HOSTILE_VALUES))
  if (path.length === 0) return value
  const copy = structuredClone(root) as Record<string | number, unknown>
  let parent = copy
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>
  if (value === undefined) delete parent[path[path.length - 1]]
  else parent[path[path.length - 1]] = value
  return copy
}

function mutateBytes(input: Uint8Array, corpus: Uint8Array[]): Uint8Array {
  const b = Buffer.from(input)
  switch (int(7)) {
    case 0: // flip bits
      for (let i = 0, n = 1 + int(8); i < n && b.length; i++) b[int(b.length)] ^= 1 << int(8)
      return b
    case 1: // truncate
      return b.subarray(0, int(b.length))
    case 2: // delete a range
    {
      const s = int(b.length)
      return Buffer.concat([b.subarray(0, s), b.subarray(s + 1 + int(64))])
    }
    case 3: // duplicate a range
    {
      const s = int(b.length)
      const piece = b.subarray(s, s + 1 + int(256))
      return Buffer.concat([b.subarray(0, s), piece, piece, b.subarray(s + piece.length)])
    }
    case 4: // insert random bytes
    {
      const s = int(b.length)
      return Buffer.concat([b.subarray(0, s), Buffer.from(Array.from({ length: 1 + int(32) }, () => int(256))), b.subarray(s)])
    }
    case 5: // splice with another file
    {
      const other = pick(corpus)
      return Buffer.concat([b.subarray(0, int(b.length)), other.subarray(int(other.length))])
    }
    default: // random bytes, sometimes behind a gzip header
      return Buffer.concat([random() < 0.5 ? Buffer.from([0x1f, 0x8b, 8, 0]) : Buffer.alloc(0), Buffer.from(Array.from({ length: int(512) }, () => int(256)))])
  }
}

/** What a caller does with an opened file: report it, compare it with itself. None of it may throw. */
async function useOpened(file: SnapscopeFile): Promise<void> {
  await exportReport(fileReport(file, 'fuzz'), 'html', { baseName: 'fuzz' })
  await exportReport(fileReport(file, 'fuzz'), 'json', { baseName: 'fuzz' })
  try {
    await exportReport(diffReport(compare({ file, name: 'a' }, { file, name: 'b' }), [file, file]), 'csv', { baseName: 'fuzz' })
  } catch (err) {
    if (!(err instanceof NothingToCompare) && (err as { code?: string }).code !== 'ENOENT') throw err
  }
}

describe('the loader, fuzzed', () => {
  it(`opens or refuses ${RUNS} random and mutated files without crashing or hanging (seed ${SEED})`, async () => {
    const file = makeFile(
      [snapshotDoc([proc(10), proc(11)]), heapWalksDoc(10, [5, 6, 7]), timelineDoc([sample(0), sample(10_000, { counts: [10, 30, 10] }), sample(20_000, { counts: [10, 50, 10] })]), symbolsDoc(), namedWatchDoc(), watchDoc()],
      HOST
    )
    const value = JSON.parse(JSON.stringify(file)) as unknown
    const corpus: Uint8Array[] = [await encodeFile(file), Buffer.from(JSON.stringify(file)), ...file.items.map((i) => Buffer.from(JSON.stringify(i)))]
    const outcomes = { opened: 0, refused: 0 }
    for (let run = 0; run < RUNS; run++) {
      let bytes: Uint8Array
      if (random() < 0.5) {
        let v = value
        for (let i = 0, n = 1 + int(3); i < n; i++) v = mutateValue(v)
        const text = Buffer.from(JSON.stringify(v) ?? '')
        bytes = random() < 0.5 ? gzipSync(text) : text
      } else bytes = mutateBytes(pick(corpus), corpus)

      const started = performance.now()
      try {
        await useOpened(await parseSnapscopeFile(bytes, 'fuzz.snapscope', LIMITS))
        outcomes.opened++
      } catch (err) {
        if (!(err instanceof FileFormatError)) {
          const sampleBytes = Buffer.from(bytes).subarray(0, 200).toString('base64')
          throw new Error(`run ${run} (seed ${SEED}): ${(err as Error).stack}\ninput starts (base64): ${sampleBytes}`)
        }
        expect(err.message.startsWith('fuzz.snapscope: ')).toBe(true)
        outcomes.refused++
      }
      expect(performance.now() - started, `run ${run} (seed ${SEED})`).toBeLessThan(SLOW_MS)
    }
    // Both paths were exercised: some mutations keep a valid file, most do not.
    expect(outcomes.opened).toBeGreaterThan(RUNS / 50)
    expect(outcomes.refused).toBeGreaterThan(RUNS / 4)
  }, 120_000)
})
