// An allocations document as a pprof profile (profile.proto, gzip), the format `go tool pprof`,
// Pyroscope and speedscope open: one sample per stack with its allocations, bytes, temporary
// allocations and what it leaked; one location per distinct frame (inlined frames, which the document
// lists as frames of the same address, become the lines of one location), one function per name.
// Written with pprof-format, a maintained encoder of the proto (Datadog's).
import { gzipSync } from 'node:zlib'
import { Function as PFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format'
import type { AllocFrame, AllocsDoc } from '../../../src-common/contract/allocTypes'
import { frameName } from '../../../src-common/model/allocs/callTree'

/** The sample values, in order: what `go tool pprof -sample_index=` names. */
export const PPROF_SAMPLE_TYPES = [
  ['alloc_objects', 'count'],
  ['alloc_space', 'bytes'],
  ['temporary_objects', 'count'],
  ['leaked_objects', 'count'],
  ['leaked_space', 'bytes']
] as const

export function allocsProfile(doc: AllocsDoc): Profile {
  const strings = new StringTable()
  const functions = new Map<string, PFunction>()
  const locations = new Map<string, Location>()
  const functionOf = (f: AllocFrame): PFunction => {
    const name = frameName(f)
    const key = `${name}\0${f.file ?? ''}`
    let fn = functions.get(key)
    if (!fn) functions.set(key, (fn = new PFunction({ id: functions.size + 1, name: strings.dedup(name), systemName: strings.dedup(name), filename: strings.dedup(f.file ?? '') })))
    return fn
  }
  const samples = doc.stacks.map((stack) => {
    const ids: number[] = []
    // frames of one address are one location: its lines innermost first, as pprof wants them
    for (let i = 0; i < stack.frames.length; ) {
      let j = i + 1
      while (j < stack.frames.length && stack.frames[j].address === stack.frames[i].address) j++
      const group = stack.frames.slice(i, j)
      const key = group.map((f) => `${f.address}\0${frameName(f)}\0${f.line ?? 0}`).join('\u001e')
      let loc = locations.get(key)
      if (!loc)
        locations.set(
          key,
          (loc = new Location({ id: locations.size + 1, address: BigInt(group[0].address), line: group.map((f) => new Line({ functionId: functionOf(f).id, line: f.line ?? 0 })) }))
        )
      ids.push(Number(loc.id))
      i = j
    }
    return new Sample({ locationId: ids, value: [stack.allocations, stack.bytes, stack.temporary, stack.leaked.blocks, stack.leaked.bytes] })
  })
  const sampleType = PPROF_SAMPLE_TYPES.map(([type, unit]) => new ValueType({ type: strings.dedup(type), unit: strings.dedup(unit) }))
  const started = doc.startedAt ? Date.parse(doc.startedAt) : NaN
  return new Profile({
    sampleType,
    sample: samples,
    location: [...locations.values()],
    function: [...functions.values()],
    stringTable: strings,
    // leaked space is what a leak hunt opens with
    defaultSampleType: sampleType[4].type,
    timeNanos: Number.isNaN(started) ? 0 : BigInt(started) * 1_000_000n,
    durationNanos: BigInt(Math.round(doc.durationMs)) * 1_000_000n,
    comment: [strings.dedup(`snapscope allocs pid=${doc.pid} mechanism=${doc.mechanism} lost=${doc.lost}`)]
  })
}

/** The .pb.gz bytes. */
export const encodePprof = (doc: AllocsDoc): Buffer => gzipSync(allocsProfile(doc).encode())
