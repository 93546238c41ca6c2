import { describe, expect, it } from 'vitest'
import { delta, proc, thread } from '../test/fixtures'
import {
  ADDED_MS,
  REMOVED_MS,
  applyDelta,
  emptyStore,
  expireMarks,
  liveTotals,
  nextExpiry,
  rowState,
  type ProcessStore
} from './processStore'

const T0 = 1_000_000

function initial(): ProcessStore {
  return applyDelta(
    emptyStore,
    delta({
      seq: 1,
      reset: true,
      added: [proc(1, 0, { threadCount: 2 }), proc(2, 1), proc(3, 1)],
      threadsAdded: [thread(1, 1), thread(10, 1), thread(2, 2), thread(3, 3)]
    }),
    T0
  )
}

describe('processStore', () => {
  it('a reset delta replaces everything and marks nothing as added', () => {
    const s = initial()
    expect([...s.processes.keys()]).toEqual([1, 2, 3])
    expect(s.marks.size).toBe(0)
    expect(s.threads.get(1)!.map((t) => t.tid)).toEqual([1, 10])
    expect(s.last).toMatchObject({ seq: 1, durationMs: 12 })

    const after = applyDelta(s, delta({ seq: 9, reset: true, added: [proc(7, 0)], threadsAdded: [thread(7, 7)] }), T0 + 10)
    expect([...after.processes.keys()]).toEqual([7])
    expect([...after.threads.keys()]).toEqual([7])
    expect(after.threadOwners.has(10)).toBe(false)
    expect(after.marks.size).toBe(0)
  })

  it('applies added, changed and removed processes', () => {
    const s = applyDelta(
      initial(),
      delta({ seq: 2, added: [proc(4, 2)], changed: [proc(2, 1, { workingSetBytes: 42 })], removed: [3] }),
      T0 + 1000
    )
    expect(s.processes.get(4)).toBeDefined()
    expect(s.processes.get(2)!.workingSetBytes).toBe(42)
    // Removed processes stay listed, marked, for the removal window.
    expect(s.processes.get(3)).toBeDefined()
    expect(rowState(s, 4)).toBe('added')
    expect(rowState(s, 3)).toBe('removed')
    expect(rowState(s, 2)).toBe('')
    expect(liveTotals(s)).toEqual({ processes: 3, threads: 4 })
  })

  it('shares the maps a delta leaves alone and never writes to the previous store', () => {
    const s = initial()
    const quiet = applyDelta(s, delta({ seq: 2 }), T0 + 1000)
    expect(quiet.processes).toBe(s.processes)
    expect(quiet.threads).toBe(s.threads)
    expect(quiet.marks).toBe(s.marks)
    expect(quiet.last!.seq).toBe(2)

    const figures = applyDelta(quiet, delta({ seq: 3, changed: [proc(2, 1, { workingSetBytes: 7 })] }), T0 + 2000)
    expect(figures.processes).not.toBe(quiet.processes)
    expect(quiet.processes.get(2)!.workingSetBytes).not.toBe(7)
    expect(figures.marks).toBe(quiet.marks)
    expect(figures.threadOwners).toBe(quiet.threadOwners)

    const exited = applyDelta(figures, delta({ seq: 4, removed: [3], threadsRemoved: [3] }), T0 + 3000)
    expect(exited.marks).not.toBe(figures.marks)
    expect(figures.marks.size).toBe(0)
    expect(figures.threadOwners.get(3)).toBe(3)
    expect(exited.threadOwners.has(3)).toBe(false)
  })

  it('keeps pid -> threads by tid through added, changed and removed threads', () => {
    let s = initial()
    s = applyDelta(
      s,
      delta({
        seq: 2,
        threadsAdded: [thread(11, 1), thread(5, 1)],
        threadsChanged: [thread(2, 2, 5)],
        threadsRemoved: [10, 3, 999]
      }),
      T0 + 1000
    )
    expect(s.threads.get(1)!.map((t) => t.tid)).toEqual([1, 5, 11])
    expect(s.threads.get(2)![0].basePriority).toBe(5)
    expect(s.threads.has(3)).toBe(false)
    expect(s.threadOwners.get(11)).toBe(1)
    expect(s.threadOwners.has(10)).toBe(false)

    // A tid that shows up under another process moves there.
    s = applyDelta(s, delta({ seq: 3, threadsAdded: [thread(11, 2)] }), T0 + 2000)
    expect(s.threads.get(1)!.map((t) => t.tid)).toEqual([1, 5])
    expect(s.threads.get(2)!.map((t) => t.tid)).toEqual([2, 11])
  })

  it('marks added rows for ADDED_MS and keeps removed rows for REMOVED_MS', () => {
    const t1 = T0 + 1000
    let s = applyDelta(initial(), delta({ seq: 2, added: [proc(4, 1)], removed: [3], threadsRemoved: [3] }), t1)
    expect(nextExpiry(s)).toBe(t1 + ADDED_MS)

    expect(expireMarks(s, t1 + ADDED_MS - 1)).toBe(s) // nothing due: same object, no re-render
    s = expireMarks(s, t1 + ADDED_MS)
    expect(rowState(s, 4)).toBe('')
    expect(s.processes.has(4)).toBe(true)
    expect(rowState(s, 3)).toBe('removed')
    expect(nextExpiry(s)).toBe(t1 + REMOVED_MS)

    s = expireMarks(s, t1 + REMOVED_MS - 1)
    expect(s.processes.has(3)).toBe(true)
    s = expireMarks(s, t1 + REMOVED_MS)
    expect(s.processes.has(3)).toBe(false)
    expect(s.marks.size).toBe(0)
    expect(nextExpiry(s)).toBeNull()
  })

  it('drops the threads of an expired process even if the delta did not remove them', () => {
    let s = applyDelta(initial(), delta({ seq: 2, removed: [1] }), T0)
    expect(s.threads.get(1)).toHaveLength(2)
    s = expireMarks(s, T0 + REMOVED_MS)
    expect(s.threads.has(1)).toBe(false)
    expect(s.threadOwners.has(10)).toBe(false)
  })

  it('a pid reused within the removal window is live again', () => {
    let s = applyDelta(initial(), delta({ seq: 2, removed: [3] }), T0)
    s = applyDelta(s, delta({ seq: 3, added: [proc(3, 1, { exeFile: 'new' })] }), T0 + 1000)
    expect(rowState(s, 3)).toBe('added')
    expect(s.processes.get(3)!.exeFile).toBe('new')
    s = expireMarks(s, T0 + REMOVED_MS)
    expect(s.processes.has(3)).toBe(true)
  })

  it('ignores removal of a pid it never saw', () => {
    const s = applyDelta(initial(), delta({ seq: 2, removed: [12345] }), T0)
    expect(s.marks.size).toBe(0)
  })
})
