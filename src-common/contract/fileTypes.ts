// The Snapscope file (snapscope.file/1): what support engineers save on one machine and read on
// another. On disk it is gzip of this JSON document; every item is one of the documents the app and
// the command already produce, recognised by its own `format`. Type-only, free of Node imports.
import type { HeapWalkDoc, HeapWalksDoc, HostInfo, Snapshot, WsWatchDoc } from './types'
import type { TimelineDoc } from './timelineTypes'

export const FILE_FORMAT = 'snapscope.file/1'
export const FILE_EXTENSION = '.snapscope'

export type FileItem = Snapshot | HeapWalksDoc | HeapWalkDoc | WsWatchDoc | TimelineDoc

export interface SnapscopeFile {
  format: typeof FILE_FORMAT
  createdAt: string
  /** "snapscope 0.1.0": which program wrote it */
  generator: string
  host: HostInfo
  /** user names, host name, directories and secrets were replaced before saving */
  redacted: boolean
  /** what the redaction replaced (files redacted by older versions don't say) */
  redaction?: RedactionSummary
  items: FileItem[]
}

/** Replacements made by redaction, by kind. */
export interface RedactionSummary {
  /** distinct user names replaced by user1, user2 … */
  users: number
  /** distinct host names replaced by "host" */
  hosts: number
  /** directories taken off paths, each time */
  paths: number
  /** secret values replaced by [redacted], each time */
  secrets: number
}
