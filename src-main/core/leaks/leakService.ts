// The Leaks view's channels: a scan of a live process, kept as a file of the session (so it can be
// saved and compared like any), the blocks of a scan paged from that file, a block's first bytes,
// and who points at a block.
import type { NativeAddon } from '../../../native/index'
import type { Requests, Responses } from '../../../src-common/contract/contract'
import { codedError } from '../../../src-common/contract/errors'
import { FILE_EXTENSION } from '../../../src-common/contract/fileTypes'
import type { LeakBlock, LeaksDoc } from '../../../src-common/contract/leakTypes'
import { leakBlocks } from '../../../src-common/model/leaks/leakBlocks'
import type { Call, Handlers } from '../call'
import { makeFile } from '../files/snapshotFile'
import type { Library } from '../workbench/library'
import { blockReferrers, hexPreview, scanLeaks } from './leakScan'

export type LeakChannel = 'leaks.scan' | 'leaks.blocks' | 'leaks.preview' | 'leaks.referrers'

const stamp = (iso: string): string => iso.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')

function leaksItem(library: Library, ref: { fileId: number; item: number }): LeaksDoc {
  const { file, view } = library.get(ref.fileId)
  const item = file.items[ref.item]
  if (!item) throw codedError('ENOENT', `${view.name} has no item #${ref.item}`)
  if (item.format !== 'snapscope.leaks/1') throw codedError('EINVAL', `item #${ref.item} of ${view.name} is a ${item.format} document, not a leak scan`)
  return item
}

async function scan(addon: NativeAddon, library: Library, p: Requests['leaks.scan'], call: Call): Promise<Responses['leaks.scan']> {
  if (call.signal.aborted) throw codedError('ECANCELED', 'cancelled')
  // Every block with its verdict: the view pages a group's blocks from it, and a compare needs them.
  const run = scanLeaks(addon, { pid: p.pid, blocks: true }, (progress) => call.emit('heap.progress', progress))
  const cancel = () => run.cancel()
  call.signal.addEventListener('abort', cancel, { once: true })
  try {
    const doc = await run.result
    return library.add(makeFile([doc], addon.host(), doc.takenAt), `leaks-pid-${p.pid}-${stamp(doc.takenAt)}${FILE_EXTENSION}`, 0)
  } finally {
    call.signal.removeEventListener('abort', cancel)
  }
}

/** `addon` is asked for on each request: the workbench builds its handlers before its dependencies are set. */
export function leakHandlers(addonOf: () => NativeAddon, library: Library): Handlers<LeakChannel> {
  // The last listing of each scan: the view asks for it a page at a time, and filtering a million
  // blocks again for each page would cost more than the page. Gone with the file.
  const listings = new WeakMap<LeaksDoc, { key: string; blocks: LeakBlock[] }>()
  const listing = (doc: LeaksDoc, p: Requests['leaks.blocks'], since: LeaksDoc | undefined): LeakBlock[] => {
    const key = JSON.stringify([p.kind, p.type, p.blockSize, p.since])
    const last = listings.get(doc)
    if (last?.key === key) return last.blocks
    const blocks = leakBlocks(doc, { kind: p.kind, type: p.type, blockSize: p.blockSize }, since)
    listings.set(doc, { key, blocks })
    return blocks
  }
  // A process is stopped (traced) by one scan at a time: a second would fail to attach, with a message
  // about debuggers that would mislead.
  const scanning = new Set<number>()
  const exclusive = async <T>(pid: number, run: () => Promise<T>): Promise<T> => {
    if (scanning.has(pid)) throw codedError('EBUSY', `a leak scan of pid ${pid} is running in this window already: wait for it to end or stop it`)
    scanning.add(pid)
    try {
      return await run()
    } finally {
      scanning.delete(pid)
    }
  }
  return {
    'leaks.scan': (p, call) => exclusive(p.pid, () => scan(addonOf(), library, p, call)),
    'leaks.blocks': (p) => {
      const doc = leaksItem(library, p)
      const since = p.since && leaksItem(library, p.since)
      if (since && since.pid !== doc.pid) throw codedError('EINVAL', `the scans are of different processes (pid ${since.pid} and pid ${doc.pid}): compare two scans of one process`)
      const all = listing(doc, p, since)
      return { total: all.length, offset: p.offset, blocks: all.slice(p.offset, p.offset + p.limit) }
    },
    'leaks.preview': async (p) => {
      const address = Number(p.address)
      const bytes = await addonOf().readMemory(p.pid, address, p.length)
      return { address: p.address, length: bytes.length, text: hexPreview(address, bytes) }
    },
    'leaks.referrers': (p) => exclusive(p.pid, async () => ({ referrers: await blockReferrers(addonOf(), p.pid, [p.address]) }))
  }
}
