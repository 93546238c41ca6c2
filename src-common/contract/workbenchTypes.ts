// What the leak-diagnosis channels of the IPC contract carry: opened files, downloads, capture
// progress. Type-only, free of Node imports (the renderer uses them).
import type { HostInfo } from './types'
import type { TimelineSample } from './timelineTypes'
import type { FileItem } from './fileTypes'

/** A file open in a session. Its items come without block lists and fault records (the views show
 *  summaries; a report or a save of the file still has everything). */
export interface OpenedFile {
  fileId: number
  /** what the user called it: a label, never a path the host opens */
  name: string
  sizeBytes: number
  createdAt: string
  generator: string
  host: HostInfo
  redacted: boolean
  items: FileItem[]
  /** block and fault records left out of `items` */
  omitted: { blocks: number; faults: number }
}

/** Bytes for the renderer to offer as a download (browser mode) or save (Electron). */
export interface Download {
  name: string
  mime: string
  bytes: Uint8Array
}

export interface CaptureSampleEvent {
  captureId: number
  index: number
  sample: TimelineSample
  elapsedMs: number
  expected: number
  /** times the timeline was halved so far: the view halves its own copy as many times (capture/thin.ts) */
  thinned: number
}

export interface CaptureEndedEvent {
  captureId: number
  /** "completed", "stopped", "target-exited", "error: …" */
  reason: string
  /** the timeline, now open as a file of the session; null when the session had no room for it */
  file: OpenedFile | null
}
