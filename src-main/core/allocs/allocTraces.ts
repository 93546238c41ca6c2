// The allocation traces of one session (window): allocs.start opens a subscription that streams
// allocs.update; allocs.stop (or the target exiting: allocs.ended) ends it, and its document is kept
// as a file of the session, so it can be saved, compared, reported and exported as pprof.
import type { Requests, Responses } from '../../../src-common/contract/contract'
import type { AllocEnd } from '../../../src-common/contract/contract'
import type { AllocsDoc } from '../../../src-common/contract/allocTypes'
import { FILE_EXTENSION } from '../../../src-common/contract/fileTypes'
import type { OpenedFile } from '../../../src-common/contract/workbenchTypes'
import { codedError } from '../../../src-common/contract/errors'
import { ALLOC_TRACE_BYTES, type HostBudget } from '../budget'
import type { Call, Handlers } from '../call'
import { Starts } from '../starts'
import type { Workbench } from '../workbench/workbench'
import { plainBytes, stamp, stem } from '../workbench/workbench'
import { AllocStream } from './allocStream'
import { AllocTrace, type AllocAddon } from './allocTrace'
import { encodePprof } from './pprof'

/** traces one window may run at once: each holds perf events on every CPU */
export const MAX_TRACES = 2

export type AllocChannel = 'allocs.start' | 'allocs.stop' | 'allocs.pprof'

interface Running {
  trace: AllocTrace
  stream: AllocStream
  /** settles with how it ended once its document is kept */
  ended: Promise<AllocEnd>
}

export class AllocTraces {
  private readonly running = new Map<number, Running>()
  private readonly starts = new Starts(MAX_TRACES, 'allocation trace')
  private nextId = 1
  private closed = false

  constructor(
    private readonly addon: AllocAddon,
    private readonly budget: HostBudget,
    private readonly workbench: Workbench
  ) {}

  readonly handlers: Handlers<AllocChannel> = {
    'allocs.start': (p, call) => this.start(p, call),
    'allocs.stop': async (p) => {
      const entry = this.running.get(p.traceId)
      if (!entry) throw codedError('ENOENT', `no allocation trace ${p.traceId} is running in this window`)
      void entry.trace.stop()
      return entry.ended
    },
    'allocs.pprof': (p) => {
      const { doc, name } = this.workbench.allocsOf(p)
      return { name: `${stem(name)}.pb.gz`, mime: 'application/gzip', bytes: plainBytes(encodePprof(doc)) }
    }
  }

  private async start(p: Requests['allocs.start'], call: Call): Promise<Responses['allocs.start']> {
    const trace = await this.starts.start(
      this.running.size,
      call,
      () => this.closed,
      () => this.budget.reserve('allocation trace', ALLOC_TRACE_BYTES, 'an allocation trace'),
      () => AllocTrace.start(this.addon, { pid: p.pid })
    )
    const traceId = this.nextId++
    const stream = new AllocStream(traceId, trace, (u) => call.emit('allocs.update', u))
    const ended = trace.done.then((doc) => this.keep(traceId, doc))
    this.running.set(traceId, { trace, stream, ended })
    // Unsubscribing stops the trace: its document is still kept.
    call.signal.addEventListener('abort', () => void trace.stop(), { once: true })
    void ended.then((end) => {
      this.running.delete(traceId)
      if (end.endReason !== 'stopped') call.emit('allocs.ended', end)
      call.end()
    })
    return { traceId, mechanism: trace.mechanism }
  }

  private keep(traceId: number, doc: AllocsDoc): AllocEnd {
    let file: OpenedFile | null = null
    let endReason = doc.endReason ?? 'stopped'
    if (!this.closed)
      try {
        file = this.workbench.keep([doc], doc.startedAt ?? new Date().toISOString(), `allocs-pid-${doc.pid}-${stamp(doc.startedAt ?? '')}${FILE_EXTENSION}`)
      } catch (err) {
        endReason = `${endReason}; not kept: ${(err as Error).message}`
      }
    return { traceId, pid: doc.pid, endReason, durationMs: doc.durationMs, lost: doc.lost, totals: doc.totals, file }
  }

  close(): void {
    this.closed = true
    for (const { trace, stream } of this.running.values()) {
      stream.close()
      void trace.stop()
    }
  }
}
