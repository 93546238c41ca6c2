// The Snapscope file (snapscope.file/1): what support engineers save on one machine and read on
// another. On disk it is gzip of this JSON document; every item is one of the documents the app and
// the command already produce, recognised by its own `format`. Type-only, free of Node imports.
import type { HeapWalkDoc, HeapWalksDoc, HostInfo, Snapshot, WsWatchDoc } from '../../ipc/types'
import type { TimelineDoc } from '../capture/types'

export const FILE_FORMAT = 'snapscope.file/1'
export const FILE_EXTENSION = '.snapscope'

export type FileItem = Snapshot | HeapWalksDoc | HeapWalkDoc | WsWatchDoc | TimelineDoc
export type ItemFormat = FileItem['format']

export interface SnapscopeFile {
  format: typeof FILE_FORMAT
  createdAt: string
  /** "snapscope 0.1.0": which program wrote it */
  generator: string
  host: HostInfo
  /** user names, host name and directories were replaced before saving */
  redacted: boolean
  items: FileItem[]
}
