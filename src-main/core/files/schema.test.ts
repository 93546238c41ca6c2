// The loader's check is compiled from the same TypeBox definitions the JSON Schema is generated
// from (scripts/gen-schema.test.ts); here it agrees with TypeBox's own reading of them (Value.Check,
// JSON Schema semantics): the sample files and every kind of document pass both, and broken ones
// fail both.
import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Value } from '@sinclair/typebox/value'
import { findRepoRoot } from '../../../native/index'
import { FileItemSchema, SnapscopeFileSchema } from '../../../src-common/contract/fileTypes'
import { parseSnapscopeFile } from './loader'
import { redactFile } from './redact'
import { makeFile } from './snapshotFile'
import { ITEM_FORMATS } from './schema'
import { HOST, heapWalksDoc, namedWatchDoc, proc, sample, snapshotDoc, symbolsDoc, timelineDoc, watchDoc } from '../../../test-support/testDocs'

const resources = join(findRepoRoot(), 'resources')
const json = JSON.parse(readFileSync(join(resources, 'snapscope-file.schema.json'), 'utf8')) as { $defs: Record<string, { properties?: { format?: { const?: string } } }> }
/** What a JSON Schema validator would say of `v` (a file or a bare document), the defaults of fields left out taken first. */
const valid = (v: unknown): boolean =>
  [SnapscopeFileSchema, FileItemSchema].some((schema) => Value.Check(schema, Value.Default(schema, structuredClone(v))))

// watchDoc: as older versions wrote it (no names); namedWatchDoc: with them
const docs = [snapshotDoc([proc(1), proc(2)]), heapWalksDoc(1, [3, 4]), heapWalksDoc(1, [3]).heaps[0], watchDoc(), namedWatchDoc(), timelineDoc([sample(0), sample(1000), sample(2000)]), symbolsDoc()]

describe('the file format', () => {
  it('names the same documents in the JSON Schema as the loader reads', () => {
    const formats = Object.values(json.$defs).flatMap((d) => (d.properties?.format?.const ? [d.properties.format.const] : []))
    expect(formats.sort()).toEqual(['snapscope.file/1', ...ITEM_FORMATS].sort())
  })

  it('validates the sample files and every kind of document, which the loader opens too', async () => {
    const samples = readdirSync(join(resources, 'samples')).filter((f) => f.endsWith('.snapscope'))
    expect(samples.length).toBeGreaterThanOrEqual(3)
    for (const name of samples) {
      const bytes = readFileSync(join(resources, 'samples', name))
      expect(valid(JSON.parse(gunzipSync(bytes).toString())), name).toBe(true)
      await parseSnapscopeFile(bytes, name)
    }
    for (const doc of [...docs, makeFile(docs, HOST), redactFile(makeFile(docs, HOST))]) {
      expect(valid(JSON.parse(JSON.stringify(doc))), doc.format).toBe(true)
      const read = await parseSnapscopeFile(Buffer.from(JSON.stringify(doc)), doc.format)
      // what a redaction replaced survives the loader (a report of the file says it)
      if ('redaction' in doc) expect(read.redaction).toEqual(doc.redaction)
    }
  })

  it('refuses what the loader refuses', async () => {
    const broken = [
      { ...snapshotDoc([proc(1)]), targetPid: 'one' },
      { ...heapWalksDoc(1, [1]), pid: -5 },
      { ...heapWalksDoc(1, [1]), heaps: [{ ...heapWalksDoc(1, [1]).heaps[0], kind: 'jemalloc-arena' }] },
      { ...watchDoc(), faults: [{ pc: 'main+4', va: '0x1', tid: 1, t: 0 }] },
      { ...timelineDoc([sample(0)]), samples: [{ ...sample(0), threadCount: 1.5 }] },
      { ...symbolsDoc(), symbols: [{ ...symbolsDoc().symbols[0], source: 'guess' }] },
      { ...namedWatchDoc(), symbols: [{ ...symbolsDoc().symbols[0], line: 0 }] },
      makeFile([{ format: 'snapscope.unknown/1' } as never], HOST)
    ]
    for (const doc of broken) {
      expect(valid(doc), JSON.stringify(doc).slice(0, 80)).toBe(false)
      await expect(parseSnapscopeFile(Buffer.from(JSON.stringify(doc)), 'x')).rejects.toThrow()
    }
  })
})
