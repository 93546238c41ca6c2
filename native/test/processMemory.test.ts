// processMemory(pid): the details pane's private bytes, peak working set and virtual size, against
// psutil and the process's own /proc/PID/status read apart from the addon, on a fixture that touches
// a known number of pages on command (watch_toucher); and its errors.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon, type NativeProcessMemory } from '../index'
import { buildFixture, startFixture, startZombie, type RunningFixture } from './fixtures'

const addon = loadAddon()
// Above the kernel's largest possible pid_max (2^22), so no process can have it.
const MISSING_PID = 4_194_304 + 17
const PAGE = 4096
// Debian's python3 (python3-psutil), not whichever python3 PATH finds first.
const PYTHON = '/usr/bin/python3'

interface Oracle {
  /** psutil: memory_info().rss, .vms; memory_full_info().uss */
  rss: number
  vms: number
  uss: number
  /** /proc/PID/status, in bytes */
  status: Record<'VmRSS' | 'RssAnon' | 'VmHWM' | 'VmSize', number>
}

const ORACLE = `
import json, sys, psutil
pid = int(sys.argv[1])
p = psutil.Process(pid)
full = p.memory_full_info()
status = {}
with open(f"/proc/{pid}/status") as f:
    for line in f:
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "RssAnon", "VmHWM", "VmSize"):
            status[key] = int(rest.split()[0]) * 1024
print(json.dumps({"rss": full.rss, "vms": full.vms, "uss": full.uss, "status": status}))
`
const oracle = (pid: number): Oracle => JSON.parse(execFileSync(PYTHON, ['-c', ORACLE, String(pid)], { encoding: 'utf8' })) as Oracle

/** The addon's reading, then psutil's, then the addon's again, until the two readings of the addon
 *  agree: then the process held still around psutil's (the kernel may still move a page meanwhile). */
async function bracketed(pid: number): Promise<{ memory: NativeProcessMemory; oracle: Oracle; again: NativeProcessMemory }> {
  for (let attempt = 1; ; attempt++) {
    const memory = await addon.processMemory(pid)
    const o = oracle(pid)
    const again = await addon.processMemory(pid)
    if (attempt === 5 || JSON.stringify(again) === JSON.stringify(memory)) return { memory, oracle: o, again }
  }
}

function expectAgrees({ memory, oracle: o, again }: Awaited<ReturnType<typeof bracketed>>): void {
  expect(again, 'the process held still between the readings').toEqual(memory)
  expect(memory).toEqual({
    pid: memory.pid,
    workingSetBytes: o.status.VmRSS,
    privateBytes: o.status.RssAnon,
    peakWorkingSetBytes: o.status.VmHWM,
    virtualBytes: o.status.VmSize
  })
  expect(memory.workingSetBytes, "psutil's rss (statm's resident pages)").toBe(o.rss)
  expect(memory.virtualBytes, "psutil's vms (statm's size)").toBe(o.vms)
}

interface ToucherInfo {
  pid: number
  pages: number
}

describe('processMemory of a process that touches a known number of pages', () => {
  const PAGES = 8192 // 32 MiB, mapped at start, touched on SIGUSR1
  let toucher: RunningFixture<ToucherInfo>
  beforeAll(async () => {
    toucher = await startFixture<ToucherInfo>('watch_toucher', ['--pages', String(PAGES), '--split', String(PAGES)])
  })
  afterAll(() => toucher?.stop())

  it('equals psutil and /proc/PID/status, and private bytes and peak grow by the pages touched', async () => {
    const { pid } = toucher.info
    const before = await bracketed(pid)
    expectAgrees(before)
    // The working set is the snapshot's figure too: the same counters, summed.
    const snap = await addon.snapshot({ processes: true, threads: false, pid })
    expect(snap.processes.find((p) => p.pid === pid)?.workingSetBytes).toBe(before.memory.workingSetBytes)

    const done = new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        if (!chunk.toString().includes('"done":true')) return
        toucher.proc.stdout!.off('data', onData)
        resolve()
      }
      toucher.proc.stdout!.on('data', onData)
    })
    toucher.proc.kill('SIGUSR1')
    await done
    const after = await bracketed(pid)
    expectAgrees(after)

    const touched = PAGES * PAGE
    const grew = after.memory.privateBytes! - before.memory.privateBytes!
    // One anonymous page per page touched, and nothing else allocated on the way (the fixture ran the
    // path once dry before it said it was ready): a few pages of slack.
    expect(grew).toBeGreaterThanOrEqual(touched)
    expect(grew).toBeLessThan(touched + 64 * PAGE)
    // psutil's uss counts private file pages too (a clean one may be reclaimed, or become shared, while
    // the pages are touched), so it grows alike within the same few pages, either way.
    const ussGrew = after.oracle.uss - before.oracle.uss
    expect(ussGrew, "psutil's uss grew alike").toBeGreaterThan(touched - 64 * PAGE)
    expect(ussGrew, "psutil's uss grew alike").toBeLessThan(touched + 64 * PAGE)
    expect(after.memory.peakWorkingSetBytes! - before.memory.peakWorkingSetBytes!).toBeGreaterThanOrEqual(touched - 64 * PAGE)
    expect(after.memory.peakWorkingSetBytes!).toBeGreaterThanOrEqual(after.memory.workingSetBytes!)
    // The region was mapped from the start: touching it reserves no address space.
    expect(after.memory.virtualBytes).toBe(before.memory.virtualBytes)
  })

  it('reads on a worker thread: a promise, and concurrent calls agree', async () => {
    const pending = addon.processMemory(toucher.info.pid)
    expect(pending).toBeInstanceOf(Promise)
    const all = await Promise.all([pending, ...Array.from({ length: 7 }, () => addon.processMemory(toucher.info.pid))])
    for (const m of all) expect(m).toEqual(all[0])
  })
})

describe('processMemory of processes without memory of their own', () => {
  it('a kernel thread (kthreadd) has no figures, and is no error', async () => {
    expect(execFileSync('ps', ['-o', 'comm=', '-p', '2'], { encoding: 'utf8' }).trim()).toBe('kthreadd')
    expect(await addon.processMemory(2)).toEqual({ pid: 2 })
  })

  it("a process whose main thread exited (a zombie leader) has the memory its live threads share", async () => {
    const f = await startFixture<{ pid: number; tid: number }>('leader_exit')
    try {
      const { pid, tid } = f.info
      const memory = await addon.processMemory(pid)
      // The leader's own status has no memory lines any more; its live thread's has them.
      expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).not.toMatch(/^VmSize:/m)
      expect(memory.privateBytes).toBeGreaterThan(0)
      expect(memory.virtualBytes).toBeGreaterThan(memory.peakWorkingSetBytes!)
      // psutil of the pid fails here (smaps_rollup: ESRCH); of the live thread it reads the same memory,
      // which that thread maps and unmaps 64 pages of every millisecond.
      expect(tid).not.toBe(pid)
      expect(Math.abs(oracle(tid).vms - memory.virtualBytes!)).toBeLessThanOrEqual(2 * 64 * PAGE)
    } finally {
      await f.stop()
    }
  })
})

describe('processMemory errors', () => {
  beforeAll(() => buildFixture('watch_toucher'))

  it('ESRCH naming the pid for a process that does not exist', async () => {
    await expect(addon.processMemory(MISSING_PID)).rejects.toMatchObject({
      code: 'ESRCH',
      pid: MISSING_PID,
      scope: 'process',
      message: `process ${MISSING_PID} does not exist`
    })
  })

  it('ESRCH for a zombie: it has exited, its parent has not reaped it, no memory remains', async () => {
    const { pid: zombie, stop } = await startZombie()
    try {
      await expect(addon.processMemory(zombie)).rejects.toMatchObject({
        code: 'ESRCH',
        pid: zombie,
        message: expect.stringMatching(new RegExp(`^process ${zombie} is a zombie`))
      })
    } finally {
      stop()
    }
  })

  it('a TypeError, at once, for a pid that is no non-negative integer', () => {
    for (const bad of [-1, 1.5, '42', undefined]) {
      expect(() => addon.processMemory(bad as number)).toThrow(/processMemory\(pid\): pid must be a non-negative integer/)
    }
  })
})
