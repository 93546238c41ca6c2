// Figures for the process details pane that the snapshot does not carry. On Linux they come from
// /proc/PID/status (one small read, no native code); elsewhere they are left out, and the pane says
// "not available" rather than guessing. The working set is the snapshot's alone (statm's resident
// pages, the summed counters that status's VmRSS also shows): it is not read again here. (Windows' Private Bytes would be PROCESS_MEMORY_COUNTERS_EX
// .PrivateUsage from the addon: not wired yet.)

import { readFile } from 'node:fs/promises'
import type { ProcessExtras } from '../../src-common/contract/types'

const FIELDS = { RssAnon: 'privateBytes', VmHWM: 'peakWorkingSetBytes', VmSize: 'virtualBytes' } as const

/** Parses the "Key:   123 kB" lines of /proc/PID/status that we use. */
export function parseStatus(pid: number, text: string): ProcessExtras {
  const extras: ProcessExtras = { pid }
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line)
    const field = m && FIELDS[m[1] as keyof typeof FIELDS]
    if (field) extras[field] = Number(m[2]) * 1024
  }
  return extras
}

export async function processExtras(pid: number, platform: NodeJS.Platform = process.platform): Promise<ProcessExtras> {
  if (platform !== 'linux') return { pid }
  try {
    return parseStatus(pid, await readFile(`/proc/${pid}/status`, 'utf8'))
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    // No /proc/PID at all: the process is gone, which the rest of the contract calls ESRCH.
    const code = e.code === 'ENOENT' ? 'ESRCH' : (e.code ?? 'EIO')
    throw Object.assign(new Error(`process ${pid}: cannot read /proc/${pid}/status: ${e.message}`), { code })
  }
}
