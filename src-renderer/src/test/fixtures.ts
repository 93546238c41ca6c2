// Builders for contract objects in tests.
import type { ProcessDelta, ProcessEntry, ThreadEntry } from '../../../src-common/contract/contract'

export function proc(pid: number, parentPid: number, extra: Partial<ProcessEntry> = {}): ProcessEntry {
  return {
    pid,
    parentPid,
    exeFile: `proc${pid}`,
    name: `proc${pid}`,
    threadCount: 1,
    basePriority: 20,
    exePath: `/usr/bin/proc${pid}`,
    cmdline: [`proc${pid}`, '--flag'],
    user: 'alice',
    uid: 1000,
    startTime: '2024-01-01T00:00:00.000Z',
    workingSetBytes: pid * 1024,
    pageFaultCount: pid * 10,
    state: 'S',
    ...extra
  }
}

export const thread = (tid: number, ownerPid: number, basePriority = 20): ThreadEntry => ({
  tid,
  ownerPid,
  basePriority,
  deltaPriority: 0
})

export function delta(parts: Partial<ProcessDelta>): ProcessDelta {
  return {
    seq: 1,
    takenAt: '2024-01-01T12:00:00.000Z',
    reset: false,
    added: [],
    changed: [],
    removed: [],
    threadsAdded: [],
    threadsChanged: [],
    threadsRemoved: [],
    errors: [],
    durationMs: 12,
    ...parts
  }
}

/** n processes in a tree: pid 1 is the root, each pid i > 1 hangs under pid floor(i / 4) or 1. */
export function generateProcesses(n: number): Map<number, ProcessEntry> {
  const map = new Map<number, ProcessEntry>()
  for (let pid = 1; pid <= n; pid++) map.set(pid, proc(pid, pid === 1 ? 0 : Math.max(1, Math.floor(pid / 4))))
  return map
}
