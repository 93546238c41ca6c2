// Errors as the views show them: what failed, the OS or contract code, and what to do next (the
// registry's advice, but for a refusal when Snapscope already runs elevated).
import { errorInfo, isDenied, type ErrorPayload } from '../../../src-common/contract/errors'

export type Problem = ErrorPayload

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

export const adviceFor = (code: string, host: HostAccess | null = null): string =>
  (host?.elevated && isDenied(code) && REFUSED_TO_ELEVATED[host.os]) || errorInfo(code).advice
