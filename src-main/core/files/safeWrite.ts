// Every file Snapscope writes at a path a user named (--out of every verb, a Snapscope file, a
// report) is written here, safe in folders other users can write to (/tmp), as root too:
//
// - The path is checked and opened before the work starts (a missing folder fails at once, not after
//   a 30-minute watch), with a message that names the path, the OS code and what to do.
// - A regular file (or a new one) is written to a temporary file beside it and renamed over it, so a
//   failed write never leaves half a file. The temporary name is random (a name someone can guess,
//   they can plant a link at first) and created with O_EXCL|O_NOFOLLOW, mode 0600 (nobody reads a
//   half-written heap walk); the final mode (the existing file's when it is ours, else 0666 less the
//   umask) is set on it before the rename.
// - A FIFO or a character device (/dev/null, a terminal) is written into as a stream: renaming over
//   it would replace the device itself. Folders, sockets and block devices (disks) are refused.
// - Symbolic links in the path are followed only when they belong to this user or to root: another
//   user's link in a shared folder could point the write at any file (the kernel's
//   fs.protected_symlinks, which is often off); so is another user's FIFO in a sticky folder (as
//   fs.protected_fifos). A link inside /proc names a file a process has open: written through as a
//   stream (this process's own descriptor, as /dev/stdout -> /proc/self/fd/1 is, directly).

import { randomBytes } from 'node:crypto'
import { constants, createWriteStream, type Stats } from 'node:fs'
import { access, lstat, mkdir, open, readlink, rename, rm, type FileHandle } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { codedError, type ErrorCode } from '../../../src-common/contract/errors'

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NOCTTY, O_APPEND } = constants
const MAX_LINKS = 40 // as the kernel's own limit on links followed in one lookup
const STICKY = 0o1000 // S_ISVTX: files in the folder can be renamed or removed only by their owners

type OsError = Error & { code?: string }
const missing = (err: unknown): boolean => (err as OsError).code === 'ENOENT'

/** What to do about the usual OS errors when writing at `path`: the message names the path and the code. */
function explain(path: string, folder: string, err: unknown): OsError {
  const code = (err as OsError).code ?? 'EIO'
  const why: Record<string, string> = {
    ENOENT: `the folder ${folder} does not exist: create it or choose another place`,
    ENOTDIR: `${folder} is not a folder: choose another place`,
    EACCES: `no permission to create files in ${folder}: choose a folder you can write to`,
    EPERM: `not permitted to write in ${folder}: choose a folder you can write to`,
    EROFS: `${folder} is on a read-only file system: choose another place`,
    ENOSPC: `no space left on the file system of ${folder}: free some or choose another place`,
    EDQUOT: `disk quota exceeded in ${folder}: free some or choose another place`,
    ENAMETOOLONG: 'the name is too long: choose a shorter one'
  }
  const message = why[code] ?? (err as Error).message
  // The OS's own code passes on (errors.test.ts checks the registry names the ones explained here).
  return codedError(code as ErrorCode, `cannot write ${path}: ${message}${message.includes(code) ? '' : ` (${code})`}`)
}

/** Whose links are followed and FIFOs written into in a shared folder: this user's and root's (geteuid is absent on Windows: all). */
function trusted(st: Stats): boolean {
  const me = process.geteuid?.()
  return me === undefined || st.uid === me || st.uid === 0
}

/**
 * `path` with every symbolic link in it followed, each checked by `trusted` (the kernel would
 * follow them all). Returns the real path (its last part may not exist yet) and whether it is a link
 * in /proc, to be opened as it is. Parts are walked one by one, so "link/.." means what it means to
 * the kernel.
 */
async function resolveTrusted(path: string): Promise<{ real: string; procLink: boolean }> {
  if (process.platform === 'win32') return { real: resolve(path), procLink: false }
  const parts = (path.startsWith('/') ? path : `${process.cwd()}/${path}`).split('/').filter((p) => p && p !== '.')
  let done = '/'
  let links = 0
  while (parts.length > 0) {
    const name = parts.shift()!
    if (name === '..') {
      done = dirname(done) // `done` has no link in it: its parent is its parent
      continue
    }
    const next = join(done, name)
    const st = await lstat(next).catch((err: unknown) => {
      if (missing(err) && parts.length === 0) return null // the file to create
      throw explain(path, missing(err) ? next : done, err)
    })
    if (!st?.isSymbolicLink()) {
      done = next
      continue
    }
    if (!trusted(st))
      throw codedError('ELOOP', `cannot write ${path}: ${next} is a symbolic link of another user (uid ${st.uid}), not followed: it could point the write at any file. Remove it, or give the path it should point to`)
    // /proc/self/fd/1 may point at "pipe:[1234]": only the kernel can open it.
    if (parts.length === 0 && (done === '/proc' || done.startsWith('/proc/'))) return { real: next, procLink: true }
    if (++links > MAX_LINKS) throw codedError('ELOOP', `cannot write ${path}: more than ${MAX_LINKS} symbolic links (ELOOP)`)
    const target = await readlink(next)
    parts.unshift(...target.split('/').filter((p) => p && p !== '.'))
    if (target.startsWith('/')) done = '/'
  }
  return { real: done, procLink: false }
}

/** Creates `path` for writing, never through anything already there (a planted link included). */
export function openExclusive(path: string, mode = 0o600): Promise<FileHandle> {
  return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode)
}

/** What a path that is neither a regular file nor a FIFO or character device is, for refusing it. */
function refused(st: Stats): string | null {
  if (st.isDirectory()) return 'is a folder: give a file name (in it, or elsewhere)'
  if (st.isBlockDevice()) return 'is a block device (a disk): Snapscope does not write documents onto disks; give a file'
  if (st.isSocket()) return 'is a socket: give a file, a FIFO or a character device'
  return null
}

/** Where a document is written and how: beside and renamed over a regular file, or into a stream. */
type Sink = { kind: 'replace'; folder: string; target: string; mode: number } | { kind: 'stream'; target: string; procLink: boolean }
/** What the next document is written to: a temporary file, an opened stream, or a descriptor of this process's own (no handle: not ours to close). */
type Pending = { fd: number; handle: FileHandle | null; tmp: string | null }

/** This process's own descriptor N when `real` is /proc/<our pid>/fd/N (/dev/stdout): written as it is,
 *  sharing its offset with the shell (`>>`), and a socket (node's spawn) works too. */
function ownFd(real: string): number | null {
  const m = new RegExp(`^/proc/${process.pid}/(?:task/\\d+/)?fd/(\\d+)$`).exec(real)
  return m ? Number(m[1]) : null
}

export class OutputFile {
  /** the open temporary file (replace) or stream, until it is written */
  private pending: Pending | null

  private constructor(
    /** as the user gave it, for messages */
    readonly path: string,
    private readonly sink: Sink,
    pending: Pending
  ) {
    this.pending = pending
  }

  /** Checks `path` and opens what the document will go through: call it before the work starts. */
  static async open(path: string): Promise<OutputFile> {
    const { real, procLink } = await resolveTrusted(path)
    const st = procLink ? null : await lstat(real).catch((err: unknown) => (missing(err) ? null : Promise.reject(explain(path, dirname(real), err))))
    const problem = st && refused(st)
    if (problem) throw codedError(st.isDirectory() ? 'EISDIR' : 'EINVAL', `cannot write ${path}: ${real} ${problem}`)
    if (procLink || (st && !st.isFile())) {
      // Another user's FIFO in /tmp would take the document (or hang the command): as fs.protected_fifos.
      if (st && !trusted(st) && (await lstat(dirname(real))).mode & STICKY)
        throw codedError('EPERM', `cannot write ${path}: ${real} is a FIFO of another user (uid ${st.uid}) in a shared folder: remove it or choose another name`)
      const sink: Sink = { kind: 'stream', target: real, procLink }
      const fd = ownFd(real)
      if (fd !== null) return new OutputFile(path, sink, { fd, handle: null, tmp: null })
      const handle = await openStream(path, sink)
      return new OutputFile(path, sink, { fd: handle.fd, handle, tmp: null })
    }
    // An existing file of ours keeps its mode; a new one (or another user's, replaced) gets the umask's.
    const mine = st !== null && st.uid === process.geteuid?.()
    const mode = mine ? st.mode & 0o777 : 0o666 & ~process.umask()
    const sink: Sink = { kind: 'replace', folder: dirname(real), target: real, mode }
    return new OutputFile(path, sink, await createTemp(path, sink.folder))
  }

  /** Opens `path`, runs `work` with it and discards what `work` did not write (an error, Ctrl-C). */
  static async using<T>(path: string, work: (out: OutputFile) => Promise<T>): Promise<T> {
    const out = await OutputFile.open(path)
    try {
      return await work(out)
    } finally {
      await out.discard()
    }
  }

  /** false for a FIFO or device: it takes one document (a capture's checkpoints skip it) */
  get rewritable(): boolean {
    return this.sink.kind === 'replace'
  }

  save(data: string | Uint8Array): Promise<void> {
    return this.saveStream(async (out) => void out.write(data))
  }

  /** Writes the document `fill` streams into `out`; a regular file is replaced (again on each call). */
  async saveStream(fill: (out: Writable) => Promise<void>): Promise<void> {
    const { fd, handle, tmp } = await this.take()
    try {
      // The fd, not handle.createWriteStream: that one holds the handle and its close() would never end.
      const stream = createWriteStream('', { fd, autoClose: false })
      // A failed write ends `fill` too: it may be waiting for a 'drain' that never comes.
      const failed = new Promise<never>((_, fail) => stream.once('error', fail))
      await Promise.race([fill(stream), failed])
      stream.end()
      await finished(stream)
      if (this.sink.kind === 'replace') {
        await handle!.chmod(this.sink.mode)
        await handle!.datasync()
      }
      await handle?.close()
      if (tmp) await rename(tmp, this.sink.target)
    } catch (err) {
      await handle?.close().catch(() => undefined)
      if (tmp) await rm(tmp, { force: true })
      throw (err as OsError).code ? explain(this.path, this.sink.kind === 'replace' ? this.sink.folder : this.sink.target, err) : err
    }
  }

  /** The temporary file or stream opened for this document: the one opened up front, then a new temporary file. */
  private async take(): Promise<Pending> {
    const pending = this.pending
    this.pending = null
    if (pending) return pending
    if (this.sink.kind === 'stream') throw codedError('EINVAL', `cannot write ${this.path} again: a FIFO or device takes one document`)
    return createTemp(this.path, this.sink.folder)
  }

  /** Closes and removes what was opened and not written. */
  async discard(): Promise<void> {
    const pending = this.pending
    this.pending = null
    if (!pending) return
    await pending.handle?.close().catch(() => undefined)
    if (pending.tmp) await rm(pending.tmp, { force: true })
  }
}

async function createTemp(path: string, folder: string): Promise<Pending> {
  const tmp = join(folder, `.snapscope-${randomBytes(12).toString('hex')}.tmp`)
  try {
    const handle = await openExclusive(tmp)
    return { fd: handle.fd, handle, tmp }
  } catch (err) {
    // The folder was there a moment ago: ENOENT here is a file system that takes no new files (/proc).
    throw missing(err) ? codedError('ENOENT', `cannot write ${path}: no new file can be created in ${folder} (ENOENT): choose another place`) : explain(path, folder, err)
  }
}

/** Opens a FIFO or device as it is (no create, no truncate): a FIFO waits here for its reader. */
async function openStream(path: string, sink: Extract<Sink, { kind: 'stream' }>): Promise<FileHandle> {
  // O_NOFOLLOW: the FIFO or device seen a moment ago, not a link put there since. A /proc link may
  // be a file the shell opened (--out /dev/stdout >> log): O_APPEND adds to it, never over its start.
  const handle = await open(sink.target, O_WRONLY | O_NOCTTY | (sink.procLink ? O_APPEND : O_NOFOLLOW)).catch((err: unknown) => {
    throw explain(path, sink.target, err)
  })
  const st = await handle.stat()
  const problem = refused(st) ?? (!sink.procLink && st.isFile() ? 'became a regular file while it was opened' : null)
  if (problem) {
    await handle.close()
    throw codedError('EINVAL', `cannot write ${path}: ${sink.target} ${problem}`)
  }
  return handle
}

/**
 * A folder to write several files into (a report's CSV files), created when missing (its parent must
 * exist); checked like a file's path (links, writable) before the work. Returns its real path: the
 * files go there, each through an OutputFile.
 */
export async function prepareFolder(path: string): Promise<string> {
  const { real, procLink } = await resolveTrusted(path)
  const st = procLink ? null : await lstat(real).catch((err: unknown) => (missing(err) ? null : Promise.reject(explain(path, dirname(real), err))))
  if (procLink || (st && !st.isDirectory())) throw codedError('ENOTDIR', `cannot write ${path}: it is not a folder (it should be: one file per table goes in it)`)
  try {
    if (!st) await mkdir(real)
    await access(real, constants.W_OK)
  } catch (err) {
    throw explain(path, st ? real : dirname(real), err)
  }
  return real
}
