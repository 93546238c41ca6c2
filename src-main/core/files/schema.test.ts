// resources/snapscope-file.schema.json and the loader describe the same format: the sample files and
// every kind of document validate against the JSON Schema, the loader reads them, and a few broken
// documents are refused by both. (A small JSON Schema validator for the keywords the schema uses.)
import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { findRepoRoot } from '../../../native/index'
import { parseSnapscopeFile } from './loader'
import { redactFile } from './redact'
import { makeFile } from './snapshotFile'
import { ITEM_SCHEMAS } from './schema'
import { HOST, heapWalksDoc, proc, sample, snapshotDoc, timelineDoc, watchDoc } from '../../../test-support/testDocs'

type JsonSchema = Record<string, unknown>
const resources = join(findRepoRoot(), 'resources')
const root = JSON.parse(readFileSync(join(resources, 'snapscope-file.schema.json'), 'utf8')) as JsonSchema & { $defs: Record<string, JsonSchema> }

const TYPES: Record<string, (v: unknown) => boolean> = {
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  array: Array.isArray,
  string: (v) => typeof v === 'string',
  integer: Number.isInteger,
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null
}

/** Errors of `v` against `s` (empty when it validates). */
function check(s: JsonSchema, v: unknown, path = '$'): string[] {
  if (typeof s.$ref === 'string') return check(root.$defs[s.$ref.replace('#/$defs/', '')], v, path)
  const errs: string[] = []
  if ('const' in s && v !== s.const) errs.push(`${path}: not ${JSON.stringify(s.const)}`)
  if (Array.isArray(s.enum) && !s.enum.includes(v)) errs.push(`${path}: not one of the enum`)
  if (typeof s.type === 'string' && !TYPES[s.type](v)) return [`${path}: not ${s.type}`]
  if (Array.isArray(s.oneOf)) {
    const passing = s.oneOf.filter((sub) => check(sub as JsonSchema, v, path).length === 0).length
    if (passing !== 1) errs.push(`${path}: matches ${passing} of oneOf`)
  }
  if (typeof v === 'string') {
    if (typeof s.maxLength === 'number' && v.length > s.maxLength) errs.push(`${path}: too long`)
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(v)) errs.push(`${path}: pattern`)
  }
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) errs.push(`${path}: below minimum`)
    if (typeof s.maximum === 'number' && v > s.maximum) errs.push(`${path}: above maximum`)
  }
  if (Array.isArray(v)) {
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) errs.push(`${path}: too many items`)
    if (s.items) v.forEach((x, i) => errs.push(...check(s.items as JsonSchema, x, `${path}[${i}]`)))
  }
  if (TYPES.object(v)) {
    const o = v as Record<string, unknown>
    for (const key of (s.required as string[] | undefined) ?? []) if (!(key in o)) errs.push(`${path}.${key}: required`)
    for (const [key, sub] of Object.entries((s.properties as Record<string, JsonSchema> | undefined) ?? {}))
      if (key in o) errs.push(...check(sub, o[key], `${path}.${key}`))
  }
  return errs
}

const docs = [snapshotDoc([proc(1), proc(2)]), heapWalksDoc(1, [3, 4]), heapWalksDoc(1, [3]).heaps[0], watchDoc(), timelineDoc([sample(0), sample(1000), sample(2000)])]

describe('the JSON Schema of the file format', () => {
  it('names the same documents the loader reads', () => {
    const formats = Object.values(root.$defs).flatMap((d) => {
      const f = (d.properties as Record<string, { const?: string }> | undefined)?.format?.const
      return f ? [f] : []
    })
    expect(formats.sort()).toEqual(['snapscope.file/1', ...Object.keys(ITEM_SCHEMAS)].sort())
  })

  it('validates the sample files and every kind of document, which the loader opens too', async () => {
    const samples = readdirSync(join(resources, 'samples')).filter((f) => f.endsWith('.snapscope'))
    expect(samples.length).toBeGreaterThanOrEqual(3)
    for (const name of samples) {
      const bytes = readFileSync(join(resources, 'samples', name))
      expect(check(root, JSON.parse(gunzipSync(bytes).toString())), name).toEqual([])
      await parseSnapscopeFile(bytes, name)
    }
    for (const doc of [...docs, makeFile(docs, HOST), redactFile(makeFile(docs, HOST))]) {
      expect(check(root, JSON.parse(JSON.stringify(doc))), doc.format).toEqual([])
      const read = await parseSnapscopeFile(Buffer.from(JSON.stringify(doc)), doc.format)
      // what a redaction replaced survives the loader (a report of the file says it)
      if ('redaction' in doc) expect(read.redaction).toEqual(doc.redaction)
    }
  })

  it('refuses what the loader refuses', async () => {
    const broken = [
      { ...snapshotDoc([proc(1)]), targetPid: 'one' },
      { ...heapWalksDoc(1, [1]), pid: -5 },
      { ...watchDoc(), faults: [{ pc: 'main+4', va: '0x1', tid: 1, t: 0 }] },
      { ...timelineDoc([sample(0)]), samples: [{ ...sample(0), threadCount: 1.5 }] },
      makeFile([{ format: 'snapscope.unknown/1' } as never], HOST)
    ]
    for (const doc of broken) {
      expect(check(root, doc).length, JSON.stringify(doc).slice(0, 80)).toBeGreaterThan(0)
      await expect(parseSnapscopeFile(Buffer.from(JSON.stringify(doc)), 'x')).rejects.toThrow()
    }
  })
})
