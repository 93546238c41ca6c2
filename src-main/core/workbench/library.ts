// The files open in one session (uploaded, taken now, or a finished capture), by id. Bounded: each
// may be large, so a session holds only a few at a time.
import type { FileItem, SnapscopeFile } from '../../../src-common/contract/fileTypes'
import type { OpenedFile } from '../../../src-common/contract/workbenchTypes'
import { codedError } from '../../../src-common/contract/errors'

export const MAX_OPEN_FILES = 8
/** stacks of an allocation trace the views get (most leaked first); saves and exports keep them all */
export const VIEW_ALLOC_STACKS = 5_000

export interface OpenEntry {
  file: SnapscopeFile
  view: OpenedFile
}

/** The item as the views get it: block lists and fault records left out (counted in `omitted`), an
 *  allocation trace's least-leaking stacks past VIEW_ALLOC_STACKS (counted in its `omittedStacks`). */
function lighten(item: FileItem, omitted: OpenedFile['omitted']): FileItem {
  switch (item.format) {
    case 'snapscope.heapwalks/1':
      omitted.blocks += item.heaps.reduce((n, h) => n + h.blocks.length, 0)
      return { ...item, heaps: item.heaps.map((h) => ({ ...h, blocks: [] })) }
    case 'snapscope.heapwalk/1':
      omitted.blocks += item.blocks.length
      return { ...item, blocks: [] }
    case 'snapscope.leaks/1': {
      const { blocks, ...rest } = item
      omitted.blocks += blocks?.length ?? 0
      return rest
    }
    case 'snapscope.wswatch/1':
      omitted.faults += item.faults.length
      // the views show the top pcs, which carry their names; the names of every record stay in the file
      return { ...item, faults: [], symbols: undefined }
    case 'snapscope.allocs/1':
      return item.stacks.length <= VIEW_ALLOC_STACKS
        ? item
        : { ...item, stacks: item.stacks.slice(0, VIEW_ALLOC_STACKS), omittedStacks: (item.omittedStacks ?? 0) + item.stacks.length - VIEW_ALLOC_STACKS }
    default:
      return item
  }
}

/** A file name fit to show and to offer as a download name: no directories, no control characters. */
export function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  const clean = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').trim().slice(0, 120)
  return clean && clean !== '.' && clean !== '..' ? clean : 'snapshot'
}

export class Library {
  private readonly files = new Map<number, OpenEntry>()
  private nextId = 1

  /** The name, or "name (2).ext" … when a file of that name is open already: the views tell files apart by it. */
  private unique(name: string): string {
    const taken = new Set([...this.files.values()].map((e) => e.view.name))
    const dot = name.lastIndexOf('.')
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
    let candidate = name
    for (let n = 2; taken.has(candidate); n++) candidate = `${stem} (${n})${ext}`
    return candidate
  }

  add(file: SnapscopeFile, name: string, sizeBytes: number): OpenedFile {
    if (this.files.size >= MAX_OPEN_FILES)
      throw codedError('EMFILE', `${MAX_OPEN_FILES} files are open already: close one first`)
    const omitted = { blocks: 0, faults: 0 }
    const view: OpenedFile = {
      fileId: this.nextId++,
      name: this.unique(cleanName(name)),
      sizeBytes,
      createdAt: file.createdAt,
      generator: file.generator,
      host: file.host,
      redacted: file.redacted,
      items: file.items.map((item) => lighten(item, omitted)),
      omitted
    }
    this.files.set(view.fileId, { file, view })
    return view
  }

  get(fileId: number): OpenEntry {
    const entry = this.files.get(fileId)
    if (!entry) throw codedError('ENOENT', `no file ${fileId} is open in this session`)
    return entry
  }

  close(fileId: number): boolean {
    return this.files.delete(fileId)
  }

  clear(): void {
    this.files.clear()
  }
}
