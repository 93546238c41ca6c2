// Errors as the views show them: what failed, the OS or contract code, and what to do next.
import { ApiError } from '../api/connectedApi'

export interface Problem {
  code: string
  message: string
}

export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return { code: error.code, message: error.message }
  const e = error as { code?: unknown; message?: unknown }
  return { code: typeof e?.code === 'string' ? e.code : 'EUNKNOWN', message: typeof e?.message === 'string' ? e.message : String(error) }
}

const ADVICE: Record<string, string> = {
  ESRCH: 'The process has exited: select another process in the tree.',
  EACCES: 'Permission denied: run Snapscope as the user that owns the process, or as root.',
  EPERM: 'Not permitted: run Snapscope as root, or allow it (kernel.perf_event_paranoid ≤ 2 for watches, ptrace_scope 0 for stopped walks).',
  ERROR_ACCESS_DENIED: 'Access denied: run Snapscope as an administrator, or as the user that owns the process.',
  ENOTSUP: 'Snapscope walks glibc heaps on Linux and NT heaps on Windows; this allocator is listed but not walked.',
  ECANCELED: 'Cancelled: start it again when you are ready.',
  EBUSY: 'Another walk is running: wait for it or cancel it.',
  ENOENT: 'It is no longer there: refresh, then try again.',
  EDISCONNECTED: 'The connection to the Snapscope host is closed: restart npm start and reload the page it prints.',
  ERROR_CALL_NOT_IMPLEMENTED: 'This system does not implement it (Wine): try on Windows.'
}

/** Refused although Snapscope runs as root / elevated, by OS: running as root again is no advice. */
export const REFUSED_TO_ELEVATED: Record<string, string> = {
  linux:
    'Snapscope runs as root and is still refused: the process is in another user namespace (a container), or a security module (SELinux, AppArmor, Yama) forbids it.',
  win32: 'Snapscope runs as an administrator and is still refused: protected processes (anti-malware, DRM, parts of Windows) cannot be opened even by administrators.'
}

/** What the connected host is and whether it runs elevated (from app.hello). */
export interface HostAccess {
  os: string
  elevated: boolean
}

export const isDenied = (code: string): boolean => code === 'EACCES' || code === 'EPERM' || code === 'ERROR_ACCESS_DENIED'

export const adviceFor = (code: string, host: HostAccess | null = null): string =>
  (host?.elevated && isDenied(code) && REFUSED_TO_ELEVATED[host.os]) ||
  (ADVICE[code] ?? 'Try again; if it keeps failing, the terminal running Snapscope shows more.')
