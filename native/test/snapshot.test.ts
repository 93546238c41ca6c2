// The addon against real processes: fixture programs with a known shape (native/test/fixtures).
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon, type NativeError, type NativeOsError, type NativeSnapshot, type NativeSnapshotOptions } from '../index'
import { buildFixture, startFixture, type RunningFixture } from './fixtures'

interface TreeInfo {
  root: number
  processes: { pid: number; parentPid: number; depth: number; tids: number[] }[]
}

const addon = loadAddon()
const ALL: NativeSnapshotOptions = { processes: true, threads: true, pid: null }
// Above the kernel's largest possible pid_max (2^22), so no process can have it.
const MISSING_PID = 4_194_304 + 17

function tidsOf(snapshot: NativeSnapshot, pid: number): number[] {
  return snapshot.threads
    .filter((t) => t.ownerPid === pid)
    .map((t) => t.tid)
    .sort((a, b) => a - b)
}

/** Problems with the invariants every snapshot must keep, as readable strings (empty when fine). */
function inconsistencies(snapshot: NativeSnapshot): string[] {
  const problems: string[] = []
  const pids = new Set(snapshot.processes.map((p) => p.pid))
  if (pids.size !== snapshot.processes.length) problems.push('duplicate pids')
  const threadCounts = new Map<number, number>()
  const tids = new Set<number>()
  for (const t of snapshot.threads) {
    if (!pids.has(t.ownerPid)) problems.push(`thread ${t.tid} owned by unlisted pid ${t.ownerPid}`)
    if (tids.has(t.tid)) problems.push(`duplicate tid ${t.tid}`)
    tids.add(t.tid)
    threadCounts.set(t.ownerPid, (threadCounts.get(t.ownerPid) ?? 0) + 1)
  }
  for (const p of snapshot.processes) {
    const listed = threadCounts.get(p.pid) ?? 0
    if (listed !== p.threadCount) problems.push(`pid ${p.pid}: threadCount ${p.threadCount} but ${listed} threads listed`)
  }
  for (const e of snapshot.errors) {
    const wellFormed =
      Number.isInteger(e.pid) &&
      ['process', 'threads', 'exePath', 'cmdline'].includes(e.scope) &&
      /^E[A-Z0-9]+$/.test(e.code) &&
      typeof e.message === 'string' &&
      e.message.includes(String(e.pid))
    if (!wellFormed) problems.push(`malformed error ${JSON.stringify(e)}`)
    // A process whose own reads failed is left out, not half-listed.
    if (e.scope === 'process' && pids.has(e.pid)) problems.push(`pid ${e.pid} listed despite ${e.code}`)
  }
  return problems
}

const errorKey = (e: NativeError) => `${e.pid}/${e.scope}/${e.code}`

describe('a proc_tree fixture (2 children per process, depth 2, 3 threads each)', () => {
  const args = ['--children', '2', '--threads', '3', '--depth', '2']
  let tree: RunningFixture<TreeInfo>
  let binary: string

  beforeAll(async () => {
    binary = buildFixture('proc_tree')
    tree = await startFixture<TreeInfo>('proc_tree', args)
  })
  afterAll(() => tree?.stop())

  it('lists the root and every descendant with their parents, threads and details', async () => {
    const startedBy = Date.now()
    const snapshot = await addon.snapshot(ALL)
    expect(inconsistencies(snapshot)).toEqual([])
    expect(tree.info.processes).toHaveLength(7)
    expect(tree.info.processes[0]).toMatchObject({ pid: tree.info.root, parentPid: process.pid, depth: 0 })

    const byPid = new Map(snapshot.processes.map((p) => [p.pid, p]))
    const me = os.userInfo()
    for (const expected of tree.info.processes) {
      const listed = byPid.get(expected.pid)
      expect(listed, `pid ${expected.pid}`).toBeDefined()
      expect(listed).toMatchObject({
        parentPid: expected.parentPid,
        exeFile: 'proc_tree',
        exePath: fs.realpathSync(binary),
        name: 'proc_tree',
        cmdline: [binary, ...args],
        user: me.username,
        uid: me.uid,
        threadCount: 3
      })
      expect(listed!.state).toMatch(/^[RS]$/)
      expect(listed!.startTimeMs).toBeGreaterThan(startedBy - 60_000)
      expect(listed!.startTimeMs).toBeLessThanOrEqual(Date.now() + 1_000)
      expect(listed!.workingSetBytes).toBeGreaterThan(0)
      expect(listed!.pageFaultCount).toBeGreaterThan(0)
      expect(tidsOf(snapshot, expected.pid)).toEqual([...expected.tids].sort((a, b) => a - b))
      for (const t of snapshot.threads.filter((t) => t.ownerPid === expected.pid)) {
        expect(t).toEqual({ tid: t.tid, ownerPid: expected.pid, basePriority: listed!.basePriority, deltaPriority: 0 })
      }
    }
  })

  it('reports a thread priority that differs from its process as deltaPriority', async () => {
    const child = tree.info.processes[1]
    const tid = child.tids[1]
    os.setPriority(tid, 5) // Linux: affects that one thread
    const snapshot = await addon.snapshot(ALL)
    const owner = snapshot.processes.find((p) => p.pid === child.pid)!
    expect(snapshot.threads.find((t) => t.tid === tid)).toEqual({
      tid,
      ownerPid: child.pid,
      basePriority: owner.basePriority,
      deltaPriority: 5
    })
  })

  it('honours processes/threads: each list only when asked for', () => {
    const processesOnly = addon.snapshotSync({ processes: true, threads: false, pid: null })
    expect(processesOnly.threads).toEqual([])
    expect(processesOnly.processes.find((p) => p.pid === tree.info.root)?.threadCount).toBe(3)

    const threadsOnly = addon.snapshotSync({ processes: false, threads: true, pid: null })
    expect(threadsOnly.processes).toEqual([])
    for (const expected of tree.info.processes) {
      expect(tidsOf(threadsOnly, expected.pid)).toEqual([...expected.tids].sort((a, b) => a - b))
    }

    expect(addon.snapshotSync({ processes: false, threads: false, pid: null })).toEqual({
      processes: [],
      threads: [],
      modules: [],
      heapLists: [],
      errors: []
    })
  })

  it('accepts an existing pid and still lists the whole system', async () => {
    const snapshot = await addon.snapshot({ processes: true, threads: true, pid: tree.info.root })
    const pids = snapshot.processes.map((p) => p.pid)
    expect(pids).toContain(tree.info.root)
    expect(pids).toContain(process.pid)
  })

  it('no longer lists the tree after stop(), and its pid is then rejected', async () => {
    const pids = new Set(tree.info.processes.map((p) => p.pid))
    await tree.stop()
    const snapshot = await addon.snapshot(ALL)
    expect(snapshot.processes.filter((p) => pids.has(p.pid) && p.exeFile === 'proc_tree')).toEqual([])
    await expect(addon.snapshot({ ...ALL, pid: tree.info.root })).rejects.toMatchObject({
      code: 'ESRCH',
      pid: tree.info.root
    })
  })
})

describe('a process whose kernel name holds spaces and parentheses', () => {
  it('parses its stat line from the last ")"', async () => {
    const comm = 'a) (b) c'
    const tree = await startFixture<TreeInfo>('proc_tree', ['--children', '1', '--threads', '2', '--depth', '1', '--name', comm])
    try {
      const snapshot = await addon.snapshot(ALL)
      for (const expected of tree.info.processes) {
        expect(snapshot.processes.find((p) => p.pid === expected.pid)).toMatchObject({
          name: comm,
          exeFile: 'proc_tree',
          parentPid: expected.parentPid,
          threadCount: 2,
          state: expect.stringMatching(/^[RS]$/)
        })
      }
    } finally {
      await tree.stop()
    }
  })
})

describe('errors', () => {
  it('rejects a pid that does not exist with ESRCH, naming the pid', async () => {
    const rejection = (await addon.snapshot({ ...ALL, pid: MISSING_PID }).catch((e: unknown) => e)) as NativeOsError
    expect(rejection).toBeInstanceOf(Error)
    expect(rejection).toMatchObject({ code: 'ESRCH', pid: MISSING_PID, scope: 'process' })
    expect(rejection.message).toContain(String(MISSING_PID))

    let thrown: NativeOsError | undefined
    try {
      addon.snapshotSync({ ...ALL, pid: MISSING_PID })
    } catch (e) {
      thrown = e as NativeOsError
    }
    expect(thrown).toBeInstanceOf(Error)
    expect(thrown).toMatchObject({ code: 'ESRCH', pid: MISSING_PID, scope: 'process' })
  })

  it('throws a TypeError synchronously for bad options', () => {
    const bad: unknown[] = [
      undefined,
      null,
      42,
      'all',
      {},
      { processes: true },
      { processes: 'yes', threads: true, pid: null },
      { processes: true, threads: 1, pid: null },
      { processes: true, threads: true, pid: '1' },
      { processes: true, threads: true, pid: -1 },
      { processes: true, threads: true, pid: 1.5 },
      { processes: true, threads: true, pid: Number.NaN },
      { processes: true, threads: true, pid: 2 ** 40 }
    ]
    for (const options of bad) {
      const asOptions = options as NativeSnapshotOptions
      expect(() => addon.snapshot(asOptions), JSON.stringify(options)).toThrow(TypeError)
      expect(() => addon.snapshotSync(asOptions), JSON.stringify(options)).toThrow(TypeError)
    }
    expect(() => (addon.snapshot as () => unknown)()).toThrow(TypeError)
  })
})

describe('while processes and threads come and go (churn fixture)', () => {
  it('never throws and every snapshot stays consistent', async () => {
    // Errors that exist without churn (e.g. an unreadable exe of pid 1) are not the churn's doing.
    const baseline = new Set(addon.snapshotSync(ALL).errors.map(errorKey))
    const churn = await startFixture<{ pid: number }>('churn')
    try {
      for (let round = 0; round < 15; round++) {
        // Concurrent calls also check that snapshot() is reentrant.
        const snapshots = await Promise.all([addon.snapshot(ALL), addon.snapshot(ALL), addon.snapshotSync(ALL)])
        for (const snapshot of snapshots) {
          expect(inconsistencies(snapshot)).toEqual([])
          expect(snapshot.processes.some((p) => p.pid === churn.info.pid)).toBe(true)
          const churnErrors = snapshot.errors.filter((e) => !baseline.has(errorKey(e)))
          expect(churnErrors.filter((e) => e.code !== 'ESRCH' && e.code !== 'ENOENT')).toEqual([])
        }
      }
    } finally {
      await churn.stop()
    }
  })
})

describe('resources and host', () => {
  it('does not leak file descriptors', async () => {
    const openFds = () => fs.readdirSync('/proc/self/fd').length
    await addon.snapshot(ALL) // warm up: the thread pool and NSS may open files once
    const before = openFds()
    for (let i = 0; i < 20; i++) await addon.snapshot(ALL)
    for (let i = 0; i < 20; i++) addon.snapshotSync(ALL)
    await Promise.all(Array.from({ length: 5 }, () => addon.snapshot(ALL)))
    await Promise.all(Array.from({ length: 5 }, () => addon.snapshot({ ...ALL, pid: MISSING_PID }).catch(() => null)))
    expect(openFds()).toBe(before)
  })

  it('describes this process like any other', () => {
    const self = addon.snapshotSync(ALL).processes.find((p) => p.pid === process.pid)
    expect(self).toMatchObject({ parentPid: process.ppid, exePath: fs.realpathSync(process.execPath), uid: os.userInfo().uid })
    expect(self!.threadCount).toBeGreaterThan(1)
  })

  it('reports the host', () => {
    expect(addon.host()).toEqual({ os: 'linux', hostname: os.hostname(), arch: process.arch, backend: 'linux-procfs' })
    expect(addon.elevated()).toBe(process.geteuid!() === 0)
  })
})

// Debian's python3 (python3-psutil, python3-pyelftools), not whichever python3 PATH finds first.
const PYTHON = '/usr/bin/python3'

describe('working set', () => {
  // For every process: psutil's memory_info().rss, its page faults (minflt + majflt of /proc/PID/stat)
  // and VmRSS of /proc/PID/status, read once before the snapshot and once after it (the script waits for a line on
  // stdin in between), so a process whose memory moved meanwhile can be told from a wrong reading.
  const PSUTIL_TWICE = `
import json, sys, psutil
def faults(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[7]) + int(fields[9])
def vm_rss(pid):  # the figure of /proc/PID/status, where the General tab reads the others
    with open(f"/proc/{pid}/status") as f:
        kb = [line.split()[1] for line in f if line.startswith("VmRSS:")]
    return int(kb[0]) * 1024 if kb else 0
def reading():
    out = {}
    for p in psutil.process_iter():
        try: out[p.pid] = [p.memory_info().rss, faults(p.pid), vm_rss(p.pid)]
        except (psutil.Error, OSError): pass
    return out
print(json.dumps(reading()), flush=True)
sys.stdin.readline()
print(json.dumps(reading()), flush=True)
`

  it("equals psutil's memory_info().rss and status VmRSS (the summed counters) for every process whose memory held still", async () => {
    const python = spawn(PYTHON, ['-c', PSUTIL_TWICE], { stdio: ['pipe', 'pipe', 'inherit'] })
    const lines = readline.createInterface({ input: python.stdout! })[Symbol.asyncIterator]()
    const nextReading = async () => JSON.parse((await lines.next()).value as string) as Record<string, [number, number, number]>
    const before = await nextReading()
    const snapshot = addon.snapshotSync({ processes: true, threads: false, pid: null })
    python.stdin!.end('\n')
    const after = await nextReading()

    let steady = 0
    const wrong: string[] = []
    for (const p of snapshot.processes) {
      const [a, b] = [before[p.pid], after[p.pid]]
      // Left out: processes born or gone around the snapshot, and those whose memory moved between
      // the readings (a page fault or a changed RSS: they may have held anything in between).
      if (!a || !b || a[0] !== b[0] || a[1] !== b[1]) continue
      steady++
      if (p.workingSetBytes !== a[0] || p.workingSetBytes !== a[2])
        wrong.push(`pid ${p.pid} (${p.name}): ${p.workingSetBytes} but psutil ${a[0]}, status VmRSS ${a[2]}`)
    }
    expect(wrong).toEqual([])
    // Most processes sit still, so the comparison covers most of the system.
    expect(steady, `${steady} of ${snapshot.processes.length} processes held still`).toBeGreaterThanOrEqual(snapshot.processes.length * 0.6)
  })
})

describe('a process name the kernel cut to 15 bytes', () => {
  /**
   * Read apart from us: psutil's name() (the full name when cmdline[0] shows comm was cut), comm's raw
   * bytes, and those bytes decoded by Python with what does not decode left out.
   */
  function pythonNames(pid: number): { full: string; comm: number[]; decoded: string } {
    const script = `import json, psutil, sys
pid = int(sys.argv[1])
comm = open(f"/proc/{pid}/comm", "rb").read().rstrip(b"\\n")
print(json.dumps({"full": psutil.Process(pid).name(), "comm": list(comm), "decoded": comm.decode("utf-8", "ignore")}))`
    return JSON.parse(execFileSync(PYTHON, ['-c', script, String(pid)], { encoding: 'utf8' }))
  }

  it('keeps the characters before a cut inside a UTF-8 character and says it was cut', async () => {
    // 18 and 16 bytes: the kernel keeps 7 characters and 1 byte of the 8th; 3 and 3 bytes of the 4th.
    for (const [name, kept] of [['é'.repeat(9), 'é'.repeat(7)], ['😀'.repeat(4), '😀'.repeat(3)]]) {
      const tree = await startFixture<TreeInfo>('proc_tree', ['--children', '0', '--threads', '1', '--depth', '0', '--name', name])
      try {
        const { comm, decoded } = pythonNames(tree.info.root)
        expect(comm).toEqual([...Buffer.from(name).subarray(0, 15)])
        const listed = addon.snapshotSync(ALL).processes.find((p) => p.pid === tree.info.root)!
        expect(listed).toMatchObject({ name: decoded, nameTruncated: true, exeFile: 'proc_tree' })
        expect(listed.name).toBe(kept)
      } finally {
        await tree.stop()
      }
    }
  })

  it('says a whole 15-byte name was cut when the program it runs has a longer name, as psutil does', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-comm-'))
    const cut = await startFixture<TreeInfo>('proc_tree', ['--children', '0', '--depth', '0'], { link: path.join(dir, 'snapscope_long_fixture_name') })
    const whole = await startFixture<TreeInfo>('proc_tree', ['--children', '0', '--depth', '0'], { link: path.join(dir, 'exactly_15_byte') })
    try {
      const snapshot = addon.snapshotSync({ processes: true, threads: false, pid: null })
      const byPid = new Map(snapshot.processes.map((p) => [p.pid, p]))
      expect(byPid.get(cut.info.root)).toMatchObject({ name: 'snapscope_long_', nameTruncated: true })
      expect(pythonNames(cut.info.root).full).toBe('snapscope_long_fixture_name')
      expect(byPid.get(whole.info.root)).toMatchObject({ name: 'exactly_15_byte', nameTruncated: false })
      expect(pythonNames(whole.info.root).full).toBe('exactly_15_byte')
      // Every other process psutil finds cut is cut for us too (we also look at the executable's name).
      for (const p of snapshot.processes.filter((p) => Buffer.byteLength(p.name) === 15 && !p.nameTruncated)) {
        let full: string
        try {
          full = pythonNames(p.pid).full
        } catch {
          continue // exited since
        }
        expect(full, `pid ${p.pid}`).toBe(p.name)
      }
    } finally {
      await Promise.all([cut.stop(), whole.stop()])
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
