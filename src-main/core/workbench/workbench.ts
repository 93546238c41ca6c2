// The leak-diagnosis side of one session (one window or tab): files opened from bytes the renderer
// sends, taken now or captured over time; compares; report exports; timeline captures. Files go in
// and out as bytes only: in browser mode the renderer is a web page, and no path it names is ever
// opened. Whatever it sends was validated by the contract; file contents are checked by the loader.

import type { NativeAddon } from '../../../native/index'
import { CAPTURE_BASE_BYTES, CAPTURE_SAMPLE_BYTES, type HostBudget } from '../budget'
import type { Requests, Responses } from '../../../src-common/contract/contract'
import { Capture, expectedSamples } from '../capture/capture'
import { captureNow } from '../capture/fullCapture'
import { addonSampler } from '../capture/sampler'
import { compare, type DiffSide } from '../../../src-common/model/diff/diff'
import { redactFile } from '../files/redact'
import { encodeFile, makeFile } from '../files/snapshotFile'
import type { FileItem, SnapscopeFile } from '../../../src-common/contract/fileTypes'
import type { AllocsDoc } from '../../../src-common/contract/allocTypes'
import { openInWorker } from '../files/workerLoader'
import { FILE_EXTENSION } from '../../../src-common/contract/fileTypes'
import { diffReport, fileReport } from '../report/build'
import { exportReport, type ReportFile } from '../report/export'
import { chromiumPrinter, type PdfPrinter } from '../report/pdf'
import { Library } from './library'
import type { Download, OpenedFile } from '../../../src-common/contract/workbenchTypes'
import { Uploads } from './uploads'
import { codedError } from '../../../src-common/contract/errors'
import type { Call, Handlers } from '../call'
import { Starts } from '../starts'
import { leakHandlers, type LeakChannel } from '../leaks/leakService'

export type WorkbenchChannel =
  | 'file.upload'
  | 'file.take'
  | 'file.close'
  | 'file.save'
  | 'diff.run'
  | 'report.export'
  | 'capture.start'
  | 'capture.stop'
  | LeakChannel


export interface WorkbenchDeps {
  addon: NativeAddon
  /** Electron prints with its own webContents.printToPDF; elsewhere a Chromium on the machine does */
  printPdf?: PdfPrinter
  /** the host's memory budget and its one PDF renderer */
  budget: HostBudget
}

/** captures one window may run at once, starts still in flight included */
export const MAX_CAPTURES = 4

/**
 * The bytes as a plain Uint8Array of their own: the WebSocket framing sends it as a binary frame (a
 * Buffer's toJSON would run first), and Electron's structured clone would carry a view's whole ArrayBuffer.
 */
export const plainBytes = (b: Buffer): Uint8Array => new Uint8Array(b)

const toDownload = (f: ReportFile): Download => ({
  name: f.name,
  mime: f.mime,
  bytes: plainBytes(typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data)
})

/** "leak.snapscope" -> "leak": download names are built from it. */
export const stem = (name: string): string => name.replace(/\.(snapscope|json|gz)$/i, '') || 'snapscope'
export const stamp = (iso: string): string => iso.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')

export class Workbench {
  private readonly library = new Library()
  private readonly uploads = new Uploads()
  private readonly captures = new Map<number, Capture>()
  private readonly captureStarts = new Starts(MAX_CAPTURES, 'capture')
  private nextCaptureId = 1
  private closed = false

  constructor(private readonly deps: WorkbenchDeps) {}

  readonly handlers: Handlers<WorkbenchChannel> = {
    'file.upload': async (p, call) => {
      const bytes = await this.uploads.receive(call.id, p.size, call.signal, call.emit)
      return this.library.add(await openInWorker(bytes, p.name), p.name, bytes.length)
    },
    'file.take': async (p) => {
      const file = await captureNow(this.deps.addon, p.pid, { heap: p.heap })
      return this.library.add(file, `pid-${p.pid}-${stamp(file.createdAt)}${FILE_EXTENSION}`, 0)
    },
    'file.close': (p) => ({ closed: this.library.close(p.fileId) }),
    'file.save': async (p) => {
      const { file, view } = this.library.get(p.fileId)
      const bytes = await encodeFile(file, { redact: p.redact })
      return { name: `${stem(view.name)}${p.redact ? '-redacted' : ''}${FILE_EXTENSION}`, mime: 'application/gzip', bytes: plainBytes(bytes) }
    },
    'diff.run': (p) => compare(this.side(p.a, p.redact), this.side(p.b, p.redact)),
    'report.export': async (p) => {
      const a = this.side(p.a, p.redact)
      const b = p.b && this.side(p.b, p.redact)
      const model = b ? diffReport(compare(a, b), [a.file, b.file]) : fileReport(this.itemFile(a), a.name)
      const baseName = `${stem(a.name)}${p.b ? '-compare' : ''}${p.redact ? '-redacted' : ''}`
      // One renderer for the whole host, whichever window asks.
      const printPdf = (html: string) => this.deps.budget.pdf.print(html, this.deps.printPdf ?? chromiumPrinter)
      const files = await exportReport(model, p.format, { baseName, table: p.table, printPdf })
      return { files: files.map(toDownload) }
    },
    'capture.start': (p, call) => this.startCapture(p, call),
    'capture.stop': async (p) => {
      const capture = this.captures.get(p.captureId)
      if (!capture) return { stopped: false }
      await capture.stop()
      return { stopped: true }
    },
    ...leakHandlers(() => this.deps.addon, this.library)
  }

  /** A document made in this session (an allocation trace) kept as a file of it, like a finished capture's timeline. */
  keep(items: FileItem[], createdAt: string, name: string): OpenedFile {
    return this.library.add(makeFile(items, this.deps.addon.host(), createdAt), name, 0)
  }

  /** The allocation trace of an open file (item `ref.item`, or its first). */
  allocsOf(ref: { fileId: number; item?: number }): { doc: AllocsDoc; name: string } {
    const { file, view } = this.library.get(ref.fileId)
    const doc = (ref.item === undefined ? file.items : [file.items[ref.item]]).find((i) => i?.format === 'snapscope.allocs/1')
    if (!doc) throw codedError('ENOENT', `${view.name}${ref.item === undefined ? '' : ` #${ref.item}`} holds no allocation trace`)
    return { doc, name: view.name }
  }

  /** A piece of an upload's body (see Uploads.piece). */
  piece(id: number, index: number, bytes: Uint8Array): void {
    this.uploads.piece(id, index, bytes)
  }

  /** An open file (redacted when asked) as one side of a compare or the subject of a report. */
  private side(ref: { fileId: number; item?: number }, redact?: boolean): DiffSide {
    const { file, view } = this.library.get(ref.fileId)
    return { file: redact ? redactFile(file) : file, name: view.name, item: ref.item }
  }

  /** The file a report covers: the whole file, or one item of it. */
  private itemFile(side: DiffSide): SnapscopeFile {
    if (side.item === undefined) return side.file
    const item = side.file.items[side.item]
    if (!item) throw codedError('ENOENT', `${side.name} has no item #${side.item}`)
    return { ...side.file, items: [item] }
  }

  private async startCapture(p: Requests['capture.start'], call: Call): Promise<Responses['capture.start']> {
    const samples = expectedSamples(p)
    const addon = this.deps.addon
    const capture = await this.captureStarts.start(
      this.captures.size,
      call,
      () => this.closed,
      () => this.deps.budget.reserve('capture', CAPTURE_BASE_BYTES + samples * CAPTURE_SAMPLE_BYTES, `a capture of ${samples.toLocaleString('en-US')} samples`),
      () => Capture.start(addonSampler(addon), addon.host(), { pid: p.pid, everyMs: p.everyMs, forMs: p.forMs, heap: p.heap })
    )
    const captureId = this.nextCaptureId++
    this.captures.set(captureId, capture)
    capture.on('sample', (s) => call.emit('capture.sample', { captureId, ...s }))
    // Unsubscribing stops the capture; its timeline is still kept as a file.
    call.signal.addEventListener('abort', () => void capture.stop(), { once: true })
    void capture.done.then((doc) => {
      this.captures.delete(captureId)
      if (this.closed) return call.end()
      let file: OpenedFile | null = null
      let reason = doc.endReason
      try {
        file = this.library.add(makeFile([doc], doc.host, doc.startedAt), `timeline-pid-${doc.pid}-${stamp(doc.startedAt)}${FILE_EXTENSION}`, 0)
      } catch (err) {
        // No room in the library: the renderer is told, and the samples it has seen are all there was.
        reason = `${doc.endReason}; not kept: ${(err as Error).message}`
      }
      call.emit('capture.ended', { captureId, reason, file })
      call.end()
    })
    return { captureId, expected: capture.expected }
  }

  close(): void {
    this.closed = true
    for (const capture of this.captures.values()) void capture.stop()
    this.captures.clear()
    this.uploads.clear()
    this.library.clear()
  }
}
