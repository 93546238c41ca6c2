import { describe, expect, it } from 'vitest'
import type { ProcessEntry } from '../../src-common/contract/types'
import { diffKeyed, sameProcess } from './processDiff'

const proc = (pid: number, over: Partial<ProcessEntry> = {}): ProcessEntry => ({
  pid,
  parentPid: 1,
  exeFile: 'x',
  name: 'x',
  threadCount: 1,
  basePriority: 20,
  exePath: '/x',
  cmdline: ['x'],
  user: 'root',
  uid: 0,
  startTime: '2026-01-01T00:00:00.000Z',
  workingSetBytes: 4096,
  pageFaultCount: 10,
  state: 'S',
  ...over
})

describe('diffKeyed', () => {
  it('reports added, changed and removed, and keeps the map current', () => {
    const map = new Map<number, ProcessEntry>()
    const first = diffKeyed(map, [proc(1), proc(2)], (p) => p.pid, sameProcess)
    expect(first.added.map((p) => p.pid)).toEqual([1, 2])
    expect(first.changed).toEqual([])
    expect(first.removed).toEqual([])

    const second = diffKeyed(map, [proc(2, { threadCount: 4 }), proc(3)], (p) => p.pid, sameProcess)
    expect(second.added.map((p) => p.pid)).toEqual([3])
    expect(second.changed.map((p) => [p.pid, p.threadCount])).toEqual([[2, 4]])
    expect(second.removed).toEqual([1])
    expect([...map.keys()].sort()).toEqual([2, 3])

    const third = diffKeyed(map, [proc(2, { threadCount: 4 }), proc(3)], (p) => p.pid, sameProcess)
    expect(third).toEqual({ added: [], changed: [], removed: [] })
  })

  it('sees a reused pid (new start time) and a changed command line as changes', () => {
    const map = new Map<number, ProcessEntry>([[5, proc(5)]])
    const d = diffKeyed(map, [proc(5, { startTime: '2026-01-02T00:00:00.000Z' })], (p) => p.pid, sameProcess)
    expect(d.changed).toHaveLength(1)
    const e = diffKeyed(map, [proc(5, { startTime: '2026-01-02T00:00:00.000Z', cmdline: ['x', '-v'] })], (p) => p.pid, sameProcess)
    expect(e.changed).toHaveLength(1)
  })
})
