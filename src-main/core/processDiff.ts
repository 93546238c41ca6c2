// What changed between two process/thread lists: the provider sends only this, never whole lists.

import type { ProcessEntry, ThreadEntry } from '../../src-common/contract/types'

export interface ListDiff<T, K> {
  added: T[]
  changed: T[]
  removed: K[]
}

/** Generic keyed diff. `next` replaces `prev` in place so the caller keeps one map across ticks. */
export function diffKeyed<T, K>(prev: Map<K, T>, nextItems: T[], key: (t: T) => K, same: (a: T, b: T) => boolean): ListDiff<T, K> {
  const added: T[] = []
  const changed: T[] = []
  const seen = new Set<K>()
  for (const item of nextItems) {
    const k = key(item)
    seen.add(k)
    const old = prev.get(k)
    if (old === undefined) added.push(item)
    else if (!same(old, item)) changed.push(item)
    prev.set(k, item)
  }
  const removed: K[] = []
  for (const k of prev.keys()) {
    if (!seen.has(k)) {
      removed.push(k)
      prev.delete(k)
    }
  }
  return { added, changed, removed }
}

// A reused pid (new startTime) differs in startTime, so it arrives as a change of that pid.
export const sameProcess = (a: ProcessEntry, b: ProcessEntry): boolean =>
  a.threadCount === b.threadCount &&
  a.workingSetBytes === b.workingSetBytes &&
  a.pageFaultCount === b.pageFaultCount &&
  a.state === b.state &&
  a.basePriority === b.basePriority &&
  a.parentPid === b.parentPid &&
  a.startTime === b.startTime &&
  a.exeFile === b.exeFile &&
  a.exePath === b.exePath &&
  a.name === b.name &&
  a.user === b.user &&
  a.cmdline.length === b.cmdline.length &&
  a.cmdline.every((arg, i) => arg === b.cmdline[i])

export const sameThread = (a: ThreadEntry, b: ThreadEntry): boolean =>
  a.ownerPid === b.ownerPid && a.basePriority === b.basePriority && a.deltaPriority === b.deltaPriority
