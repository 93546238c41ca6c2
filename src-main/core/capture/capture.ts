// A timeline capture: samples one process every `everyMs` for `forMs` (both ends included) and keeps
// the snapscope.timeline/1 document up to date, so whoever runs it can save what it has at any time
// (a checkpoint, Ctrl-C). Samples are due on a fixed grid from the start; one that is late (a slow
// heap walk) is taken at once and the grid skips the slots it missed, so the timeline never drifts.
// A timeline keeps at most MAX_TIMELINE_SAMPLES: when it is full, every other sample is dropped and
// the interval doubles (a 30-day capture ends with samples minutes apart), so that memory and the
// file stay bounded and the file always opens again.

import { EventEmitter } from 'node:events'
import type { HostInfo, SnapshotError } from '../../../src-common/contract/types'
import { SCHEMA_LIMITS } from '../files/schema'
import type { Sampled, Sampler } from './sampler'
import { TIMELINE_FORMAT, type TimelineDoc, type TimelineModule, type TimelineSample } from '../../../src-common/contract/timelineTypes'
import { halve } from '../../../src-common/model/capture/thin'
import { toErrorPayload } from '../../../src-common/contract/errors'

/** Even (each halving keeps the first sample and the grid); worst-case samples (61 size classes of
 *  huge numbers) take ~6 KB, so a full timeline is ~60 MB of JSON, far inside the loader's limits. */
export const MAX_TIMELINE_SAMPLES = 10_000

export interface CaptureOptions {
  pid: number
  everyMs: number
  forMs: number
  /** walk the heaps each time (summary only); default true */
  heap?: boolean
  /** MAX_TIMELINE_SAMPLES unless given (tests) */
  maxSamples?: number
}

export interface CaptureProgress {
  index: number
  sample: TimelineSample
  elapsedMs: number
  /** samples the whole capture takes when it runs its course */
  expected: number
  /** times the timeline was halved so far (see TimelineDoc.thinned): a live view halves its copy alike */
  thinned: number
}

/** Samples a capture holds at most: both ends of the duration included, and never more than the
 *  timeline keeps (it thins itself past that). What a capture reserves in the host's budget. */
export const expectedSamples = (o: { everyMs: number; forMs: number }): number => Math.min(MAX_TIMELINE_SAMPLES, Math.floor(o.forMs / o.everyMs) + 1)

export class Capture extends EventEmitter<{ sample: [CaptureProgress]; end: [TimelineDoc] }> {
  readonly done: Promise<TimelineDoc>
  private readonly doc: TimelineDoc
  /** the open entry of each module loaded in the last sample, by name and path */
  private readonly loaded = new Map<string, TimelineModule>()
  private readonly errorKeys = new Set<string>()
  private readonly t0 = Date.now()
  private timer: NodeJS.Timeout | undefined
  private ended = false
  private finish!: (doc: TimelineDoc) => void

  private constructor(
    private readonly sampler: Sampler,
    private readonly options: CaptureOptions,
    host: HostInfo,
    first: Sampled
  ) {
    super()
    this.done = new Promise((ok) => (this.finish = ok))
    this.doc = {
      format: TIMELINE_FORMAT,
      pid: options.pid,
      exeFile: first.exeFile,
      host,
      startedAt: first.sample.takenAt,
      everyMs: options.everyMs,
      thinned: 0,
      endReason: 'running',
      samples: [],
      modules: [],
      errors: []
    }
  }

  /** Takes the first sample now (rejecting, e.g. with ESRCH, when the process can't be read) and schedules the rest. */
  static async start(sampler: Sampler, host: HostInfo, options: CaptureOptions): Promise<Capture> {
    const first = await sampler({ pid: options.pid, heap: options.heap ?? true })
    const capture = new Capture(sampler, options, host, first)
    // The first sample's event waits for the next turn of the loop, so a listener attached right
    // after `await Capture.start()` sees it too.
    capture.add(first, false)
    setImmediate(() => capture.emitSample(0))
    capture.schedule(1)
    return capture
  }

  get expected(): number {
    return Math.floor(this.options.forMs / this.doc.everyMs) + 1
  }

  /** The document so far, as a copy that later samples leave alone (a checkpoint is written from it
   *  while sampling goes on: its modules must not name samples it does not have). */
  current(): TimelineDoc {
    return { ...this.doc, samples: [...this.doc.samples], modules: this.doc.modules.map((m) => ({ ...m })), errors: [...this.doc.errors] }
  }

  /** Ends the capture now with what it has. */
  stop(): Promise<TimelineDoc> {
    this.end('stopped')
    return this.done
  }

  private schedule(slot: number): void {
    if (this.ended) return
    if (slot >= this.expected) return this.end('completed')
    const due = this.t0 + slot * this.doc.everyMs
    this.timer = setTimeout(() => void this.tick(), Math.max(0, due - Date.now()))
  }

  private async tick(): Promise<void> {
    try {
      const sampled = await this.sampler({ pid: this.options.pid, heap: this.options.heap ?? true })
      if (this.ended) return
      this.add(sampled)
    } catch (err) {
      const { code, message } = toErrorPayload(err)
      return this.end(code === 'ESRCH' ? 'target-exited' : `error: ${code} ${message}`)
    }
    // The next slot still ahead: a late sample does not cause a burst of catch-up samples.
    this.schedule(Math.max(this.doc.samples.length, Math.floor((Date.now() - this.t0) / this.doc.everyMs) + 1))
  }

  private add(sampled: Sampled, emit = true): void {
    if (this.doc.samples.length >= (this.options.maxSamples ?? MAX_TIMELINE_SAMPLES)) this.thin()
    const index = this.doc.samples.length
    this.doc.samples.push(sampled.sample)
    this.trackModules(index, sampled.modules)
    for (const e of sampled.errors) this.addError(e)
    if (emit) this.emitSample(index)
  }

  private emitSample(index: number): void {
    const sample = this.doc.samples[index]
    const elapsedMs = Date.parse(sample.takenAt) - Date.parse(this.doc.startedAt)
    this.emit('sample', { index, sample, elapsedMs, expected: this.expected, thinned: this.doc.thinned })
  }

  /** Keeps samples 0, 2, 4 …: the grid of twice the interval. A module seen only in dropped samples
   *  goes, as it would have been missed at that interval. */
  private thin(): void {
    const doc = this.doc
    doc.samples = halve(doc.samples)
    doc.everyMs *= 2
    doc.thinned++
    const kept = new Set<TimelineModule>()
    doc.modules = doc.modules.filter((m) => {
      m.firstSample = Math.ceil(m.firstSample / 2)
      m.lastSample = Math.floor(m.lastSample / 2)
      if (m.firstSample > m.lastSample) return false
      kept.add(m)
      return true
    })
    for (const [key, entry] of this.loaded) if (!kept.has(entry)) this.loaded.delete(key)
  }

  private trackModules(index: number, modules: Sampled['modules']): void {
    const seen = new Set<string>()
    for (const m of modules) {
      const key = `${m.moduleName}\0${m.exePath}`
      if (seen.has(key)) continue
      seen.add(key)
      const open = this.loaded.get(key)
      if (open) open.lastSample = index
      else if (this.doc.modules.length >= SCHEMA_LIMITS.modules)
        this.addError({ pid: this.options.pid, scope: 'modules', code: 'E2BIG', message: `more than ${SCHEMA_LIMITS.modules} module loads: later ones are not listed` })
      else {
        const entry = { ...m, firstSample: index, lastSample: index }
        this.doc.modules.push(entry)
        this.loaded.set(key, entry)
      }
    }
    for (const key of this.loaded.keys()) if (!seen.has(key)) this.loaded.delete(key)
  }

  /** Keeps the first error of each scope and code: a heap that can't be walked says so once, not per sample. */
  private addError(e: SnapshotError): void {
    const key = `${e.scope}\0${e.code}`
    if (this.errorKeys.has(key)) return
    this.errorKeys.add(key)
    this.doc.errors.push(e)
  }

  private end(reason: string): void {
    if (this.ended) return
    this.ended = true
    clearTimeout(this.timer)
    this.doc.endReason = reason
    this.emit('end', this.doc)
    this.finish(this.doc)
  }
}
