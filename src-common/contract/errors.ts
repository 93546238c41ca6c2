// Every error code Snapscope's errors carry, with what it means and what to do next: one list for the
// core (which throws them), the CLI (which prints the advice after the OS's own words) and the renderer
// (which shows it under a failed view, with its own wording when it runs elevated and is still refused).
// The codes are the OS's own where the OS said no (the native addon's errno and Win32 names, Node's fs
// codes), and a few of Snapscope's where nothing in the OS fits (EBADFILE, EPRINT, EDISCONNECTED,
// EINTERNAL). errors.test.ts checks that every code the sources throw or the addon names is here.

export interface ErrorCodeInfo {
  /** What happened, in a few words. */
  readonly meaning: string
  /** What to do next, in a sentence that reads right in a terminal and in the window alike. */
  readonly advice: string
}

const AGAIN = 'Try again; if it keeps failing, report it with this message.'
const ADMIN = 'Run Snapscope as an administrator, or as the user that owns the process.'
const GONE = 'The process has exited: choose another process.'
const SMALLER = 'Ask for less (a smaller --limit, a shorter capture) or free some memory, then try again.'
const WINE = 'This system does not implement it (Wine): try on Windows.'

/** Linux errno names (native/src/linux/errno_name.cc, Node's fs and net errors). */
const ERRNO = {
  EPERM: { meaning: 'not permitted', advice: 'Not permitted: run Snapscope as root, or allow it (kernel.perf_event_paranoid ≤ 2 for watches, ptrace_scope 0 for stopped walks).' },
  ENOENT: { meaning: 'no such file, process part or item', advice: 'It is not there (any more): check the name, or refresh and try again.' },
  ESRCH: { meaning: 'no such process', advice: GONE },
  EINTR: { meaning: 'interrupted by a signal', advice: AGAIN },
  EIO: { meaning: 'input/output error', advice: 'Reading or writing failed: check the disk or the path, then try again.' },
  ENXIO: { meaning: 'no such device or address', advice: 'The memory or device is gone (the process may have unmapped it): take a new snapshot.' },
  E2BIG: { meaning: 'more than a limit allows', advice: 'The list was cut at its limit: the rest is not shown.' },
  EBADF: { meaning: 'bad file descriptor', advice: AGAIN },
  ECHILD: { meaning: 'no child process', advice: AGAIN },
  EAGAIN: { meaning: 'temporarily unavailable', advice: 'The system is short of a resource for now: try again in a moment.' },
  ENOMEM: { meaning: 'out of memory', advice: SMALLER },
  EACCES: { meaning: 'permission denied', advice: 'Permission denied: run Snapscope as the user that owns the process, or as root.' },
  EFAULT: { meaning: 'bad address', advice: 'The process changed its memory while it was read: try again, or walk it with --stop.' },
  EBUSY: { meaning: 'busy', advice: 'Another operation of this kind is running: wait for it or cancel it.' },
  EEXIST: { meaning: 'already exists', advice: 'Something of that name is there already: choose another name or remove it.' },
  ENODEV: { meaning: 'no such device', advice: 'This kernel lacks the feature (perf events, pagemap): a watch falls back where it can.' },
  ENOTDIR: { meaning: 'not a folder', advice: 'A part of the path is not a folder: check the path.' },
  EISDIR: { meaning: 'is a folder', advice: 'That path is a folder: name a file in it.' },
  EINVAL: { meaning: 'invalid argument', advice: 'The request was not valid: check the values the message names.' },
  ENFILE: { meaning: 'too many files open on the system', advice: 'The system has too many files open: close some programs, then try again.' },
  EMFILE: { meaning: 'too many files open', advice: 'Too many files are open: close one, then try again.' },
  EFBIG: { meaning: 'too large', advice: 'It is larger than Snapscope accepts: use a smaller file or the snapscope command line.' },
  ENOSPC: { meaning: 'no space left on the disk', advice: 'The disk is full: free some space or write elsewhere.' },
  EDQUOT: { meaning: 'disk quota exceeded', advice: 'The disk quota is used up: free some space or write elsewhere.' },
  EROFS: { meaning: 'read-only file system', advice: 'That file system is read-only: write elsewhere.' },
  ERANGE: { meaning: 'out of range', advice: 'A value is out of range: check the values the message names.' },
  ENAMETOOLONG: { meaning: 'name too long', advice: 'The path is too long: choose a shorter one.' },
  ENOSYS: { meaning: 'not implemented by this kernel', advice: 'This kernel does not implement it: try on a newer kernel.' },
  ELOOP: { meaning: 'too many symbolic links', advice: 'The path has a symbolic link loop, or one Snapscope refuses to follow: write to a path of your own.' },
  EOVERFLOW: { meaning: 'value too large', advice: AGAIN },
  EOPNOTSUPP: { meaning: 'operation not supported', advice: 'This system does not support it: a watch falls back where it can.' },
  ETIMEDOUT: { meaning: 'timed out', advice: 'It took too long: try again when the system is less busy.' },
  ECANCELED: { meaning: 'cancelled', advice: 'Cancelled: start it again when you are ready.' },
  ENOTSUP: { meaning: 'not supported', advice: 'Snapscope walks glibc heaps on Linux and NT heaps on Windows; other allocators and kernel threads are listed but not walked.' },
  EADDRINUSE: { meaning: 'address in use', advice: 'That port is taken: choose another --port, or leave it out for a free one.' }
} as const satisfies Record<string, ErrorCodeInfo>

/** Win32 names (native/src/win/win_errors.cc). */
const WIN32 = {
  ERROR_SUCCESS: { meaning: 'failed without saying why', advice: AGAIN },
  ERROR_INVALID_FUNCTION: { meaning: 'invalid function', advice: WINE },
  ERROR_FILE_NOT_FOUND: { meaning: 'file not found', advice: 'It is not there (any more): check the name, or refresh and try again.' },
  ERROR_PATH_NOT_FOUND: { meaning: 'path not found', advice: 'A part of the path does not exist: check the path.' },
  ERROR_ACCESS_DENIED: { meaning: 'access denied', advice: 'Access denied: run Snapscope as an administrator, or as the user that owns the process.' },
  ERROR_INVALID_HANDLE: { meaning: 'invalid handle', advice: GONE },
  ERROR_NOT_ENOUGH_MEMORY: { meaning: 'not enough memory', advice: SMALLER },
  ERROR_OUTOFMEMORY: { meaning: 'out of memory', advice: SMALLER },
  ERROR_NO_MORE_FILES: { meaning: 'no more entries', advice: AGAIN },
  ERROR_BAD_LENGTH: { meaning: 'wrong buffer length', advice: AGAIN },
  ERROR_GEN_FAILURE: { meaning: 'a device is not working', advice: AGAIN },
  ERROR_NOT_SUPPORTED: { meaning: 'not supported', advice: 'Windows does not support this for that process (a 32-bit or protected process): choose another process.' },
  ERROR_INVALID_PARAMETER: { meaning: 'invalid parameter (often: the process has exited)', advice: GONE },
  ERROR_CALL_NOT_IMPLEMENTED: { meaning: 'not implemented', advice: WINE },
  ERROR_INSUFFICIENT_BUFFER: { meaning: 'buffer too small', advice: 'The process changed while it was read: try again.' },
  ERROR_PROC_NOT_FOUND: { meaning: 'a system function is missing', advice: WINE },
  ERROR_MORE_DATA: { meaning: 'more data than the buffer held', advice: 'The process changed while it was read: try again.' },
  ERROR_NO_MORE_ITEMS: { meaning: 'no more items', advice: AGAIN },
  ERROR_PARTIAL_COPY: { meaning: 'only part of the memory could be read', advice: 'The process changed its memory while it was read, or is still starting: try again.' },
  ERROR_INVALID_ADDRESS: { meaning: 'invalid address', advice: 'The process freed that memory while it was read: take a new snapshot.' },
  ERROR_NOACCESS: { meaning: 'invalid access to memory', advice: 'The process changed its memory while it was read: try again.' },
  ERROR_NO_TOKEN: { meaning: 'no access token', advice: ADMIN },
  ERROR_NOT_FOUND: { meaning: 'not found', advice: 'It is not there (any more): check the name, or refresh and try again.' },
  ERROR_CANCELLED: { meaning: 'cancelled', advice: 'Cancelled: start it again when you are ready.' },
  ERROR_PRIVILEGE_NOT_HELD: { meaning: 'a privilege is not held', advice: ADMIN },
  ERROR_NONE_MAPPED: { meaning: 'the account has no name', advice: 'The owner is shown by its SID: nothing to do.' },
  ERROR_TIMEOUT: { meaning: 'timed out', advice: 'It took too long: try again when the system is less busy.' },
  ERROR_INVALID_STATE: { meaning: 'invalid state', advice: AGAIN },
  ERROR_MR_MID_NOT_FOUND: { meaning: 'no text for this code', advice: AGAIN }
} as const satisfies Record<string, ErrorCodeInfo>

/** Snapscope's own, where no OS code fits. */
const SNAPSCOPE = {
  EBADFILE: { meaning: 'not a file Snapscope wrote', advice: 'Open a .snapscope file Snapscope wrote (snapscope capture), or capture again.' },
  EPRINT: { meaning: 'Chromium could not print the PDF', advice: 'Export HTML instead, or check the Chromium the message names.' },
  EDISCONNECTED: { meaning: 'the connection to the host is closed', advice: 'The connection to the Snapscope host is closed: restart npm start and reload the page it prints.' },
  EINTERNAL: { meaning: 'an error without a code (a bug)', advice: AGAIN }
} as const satisfies Record<string, ErrorCodeInfo>

export const ERROR_CODES = { ...ERRNO, ...WIN32, ...SNAPSCOPE } as const
export type ErrorCode = keyof typeof ERROR_CODES

/** The code of an error that carries none: it escaped every check, so it is a bug. */
export const UNCODED: ErrorCode = 'EINTERNAL'

/** The codes that mean "the OS refused": the renderer words them differently when Snapscope is already elevated. */
export const DENIED_CODES: readonly ErrorCode[] = ['EACCES', 'EPERM', 'ERROR_ACCESS_DENIED']

export const isErrorCode = (code: string): code is ErrorCode => Object.prototype.hasOwnProperty.call(ERROR_CODES, code)

export const isDenied = (code: string): boolean => (DENIED_CODES as readonly string[]).includes(code)

/** The registry's entry for a code; codes from outside (a newer host, an errno the addon numbers) get the generic advice. */
export const errorInfo = (code: string): ErrorCodeInfo => (isErrorCode(code) ? ERROR_CODES[code] : { meaning: code, advice: AGAIN })

export type CodedError<C extends ErrorCode = ErrorCode> = Error & { readonly code: C }

// The errors Snapscope words itself: their messages say what to do next (a rule of the house), so the
// CLI adds no registry advice to them; the OS's and Node's own words get it.
const worded = new WeakSet<Error>()

/** An Error with a registered code (and any fields the catcher reads, such as pid); its message says what to do next. */
export function codedError<C extends ErrorCode, X extends object = object>(code: C, message: string, extra?: X): CodedError<C> & X {
  const err = Object.assign(new Error(message), extra, { code })
  worded.add(err)
  return err
}

/** Whether `err` came from codedError, its message carrying its own advice. */
export const hasOwnAdvice = (err: unknown): boolean => err instanceof Error && worded.has(err)

/** What crosses the contract, the CLI's stderr and a snapshot's error list: a code and a message. */
export interface ErrorPayload {
  code: string
  message: string
}

/** Any thrown value as a code and a message; one without a string code is UNCODED. */
export function toErrorPayload(err: unknown): ErrorPayload {
  const e = err as { code?: unknown; message?: unknown } | null | undefined
  return {
    code: typeof e?.code === 'string' ? e.code : UNCODED,
    message: typeof e?.message === 'string' ? e.message : String(err)
  }
}
