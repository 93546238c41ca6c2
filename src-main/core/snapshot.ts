// Turns the addon's raw snapshot into the document of the data contract (snapscope.snapshot/1).

import type { NativeAddon, NativeProcess } from '../../native/index'
import type { IncludeKind, ProcessEntry, Snapshot } from '../../src-common/contract/types'
import { fitCmdline } from './files/cmdline'

export interface SnapshotOptions {
  include?: IncludeKind[]
  pid?: number | null
}

export const DEFAULT_INCLUDE: IncludeKind[] = ['process', 'thread']

export function toProcessEntry(p: NativeProcess): ProcessEntry {
  return {
    pid: p.pid,
    parentPid: p.parentPid,
    exeFile: p.exeFile,
    name: p.name,
    ...(p.nameTruncated && { nameTruncated: true }),
    threadCount: p.threadCount,
    basePriority: p.basePriority,
    exePath: p.exePath,
    cmdline: fitCmdline(p.cmdline),
    user: p.user,
    uid: p.uid,
    startTime: new Date(p.startTimeMs).toISOString(),
    workingSetBytes: p.workingSetBytes,
    pageFaultCount: p.pageFaultCount,
    state: p.state
  }
}

export async function takeSnapshot(addon: NativeAddon, options: SnapshotOptions = {}): Promise<Snapshot> {
  const include = [...new Set(options.include?.length ? options.include : DEFAULT_INCLUDE)]
  const pid = options.pid ?? null
  const takenAt = new Date().toISOString()
  const raw = await addon.snapshot({
    processes: include.includes('process'),
    threads: include.includes('thread'),
    modules: include.includes('module'),
    heapLists: include.includes('heaplist'),
    pid
  })
  return {
    format: 'snapscope.snapshot/1',
    takenAt,
    host: addon.host(),
    include,
    targetPid: pid,
    processes: raw.processes.map(toProcessEntry),
    threads: raw.threads,
    modules: raw.modules,
    heapLists: raw.heapLists,
    errors: raw.errors
  }
}
