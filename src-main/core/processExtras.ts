// Figures for the process details pane that the snapshot does not carry: private bytes, peak working
// set and virtual size, from the addon's processMemory (Linux: /proc/PID/status; Windows: the
// process's memory counters). A figure the OS has none of for a process (a kernel thread has no user
// memory) is left out, and the pane says "not available" rather than guessing. The working set is
// the snapshot's alone: it is not repeated here.

import type { NativeAddon } from '../../native/index'
import type { ProcessExtras } from '../../src-common/contract/types'

const FIELDS = ['privateBytes', 'peakWorkingSetBytes', 'virtualBytes'] as const

/** Rejects with the addon's OsError (code ESRCH for a process that is gone, ERROR_INVALID_PARAMETER on Windows). */
export async function processExtras(addon: Pick<NativeAddon, 'processMemory'>, pid: number): Promise<ProcessExtras> {
  const memory = await addon.processMemory(pid)
  const extras: ProcessExtras = { pid }
  for (const field of FIELDS) if (memory[field] !== undefined) extras[field] = memory[field]
  return extras
}
