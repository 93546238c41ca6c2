// A full capture of one process now, as a Snapscope file: the snapshot (processes, threads, the
// process's modules and heap list, its private bytes) and its heap walks, summaries only (size classes of every block,
// no block list: small, and what a compare reads). A heap that can't be walked is noted in the
// snapshot's errors; the file is still written.
import type { NativeAddon } from '../../../native/index'
import type { FileItem, SnapscopeFile } from '../../../src-common/contract/fileTypes'
import { makeFile } from '../files/snapshotFile'
import { walkHeaps } from '../heapWalk'
import { takeSnapshot } from '../snapshot'
import { privateBytes } from './sampler'
import { toErrorPayload } from '../../../src-common/contract/errors'

export async function captureNow(addon: NativeAddon, pid: number, options: { heap?: boolean } = {}): Promise<SnapscopeFile> {
  const [snapshot, priv] = await Promise.all([takeSnapshot(addon, { pid, include: ['process', 'thread', 'module', 'heaplist'] }), privateBytes(addon, pid)])
  const target = snapshot.processes.find((p) => p.pid === pid)
  if (target && priv !== null) target.privateBytes = priv
  const items: FileItem[] = [snapshot]
  if (options.heap ?? true) {
    try {
      items.push(await walkHeaps(addon, { pid, limit: 0 }).result)
    } catch (err) {
      snapshot.errors.push({ pid, scope: 'heap', ...toErrorPayload(err) })
    }
  }
  return makeFile(items, snapshot.host, snapshot.takenAt)
}
