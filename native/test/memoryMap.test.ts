// memoryMap(pid): the regions of /proc/PID/smaps with their resident, private and swapped bytes,
// classified. Checked against the kernel's own sums (/proc/PID/smaps_rollup) of a real python3 and
// node, both read while the target is stopped (SIGSTOP) so that the two reads see the same memory.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MEMORY_KINDS } from '../../src-common/contract/types'
import { loadAddon, type NativeMemoryMap } from '../index'

const addon = loadAddon()
const MISSING_PID = 4_194_304 + 17
const PYTHON = '/usr/bin/python3'

/** Starts a program that prints "ready" once it has set up what the test looks for, then sleeps. */
async function ready(command: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve())
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready`)))
  })
  return child
}

/** The kernel's totals, in bytes, as smaps_rollup has them. */
function rollup(pid: number): { rss: number; private: number; swap: number } {
  const kb: Record<string, number> = {}
  for (const line of fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n')) {
    const m = /^(\w+):\s+(\d+) kB/.exec(line)
    if (m) kb[m[1]] = Number(m[2]) * 1024
  }
  return { rss: kb.Rss, private: kb.Private_Clean + kb.Private_Dirty, swap: kb.Swap }
}

const sum = (a: Float64Array): number => a.reduce((s, v) => s + v, 0)
const kindOf = (map: NativeMemoryMap, i: number): string => MEMORY_KINDS[map.kind[i]]
const pathsOf = (map: NativeMemoryMap, kind: string): string[] =>
  [...map.kind.keys()].filter((i) => kindOf(map, i) === kind).map((i) => map.strings[map.path[i]])

/** Both reads while `child` is stopped (every thread); it always runs on after. */
async function stoppedRead(child: ChildProcess): Promise<{ map: NativeMemoryMap; kernel: ReturnType<typeof rollup> }> {
  const pid = child.pid!
  process.kill(pid, 'SIGSTOP')
  try {
    // The signal is delivered asynchronously: wait until every thread has stopped.
    const state = (tid: string): string => {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    }
    await expect.poll(() => fs.readdirSync(`/proc/${pid}/task`).every((tid) => state(tid) === 'T'), { timeout: 5000 }).toBe(true)
    // The figures still move: the first read's heap list faults a few of the target's pages in, and a
    // page of a shared library is private only while no other process maps it (python3 and node
    // processes come and go on this machine). Read again, a few times at most, until the kernel's sums
    // before and after a read agree with each other and with the read: a wrong sum never does.
    for (let attempt = 1; ; attempt++) {
      const before = rollup(pid)
      const map = await addon.memoryMap(pid)
      const kernel = rollup(pid)
      const agree = sum(map.residentBytes) === kernel.rss && sum(map.privateBytes) === kernel.private && sum(map.swapBytes) === kernel.swap
      if (attempt === 6 || (JSON.stringify(before) === JSON.stringify(kernel) && agree)) return { map, kernel }
    }
  } finally {
    process.kill(pid, 'SIGCONT')
  }
}

// python3 with a thread (its stack), a big malloc'd buffer in a thread arena, and a data file mapped.
const PY = `
import mmap, threading, time, sys
f = open(sys.executable, "rb")
data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
data[0]; data[len(data) // 2]
hold = []
def work():
    hold.append(bytearray(100000))  # in this thread's arena
    time.sleep(3600)
threading.Thread(target=work, daemon=True).start()
time.sleep(0.2)
print("ready", flush=True)
time.sleep(3600)
`
// node: V8's JIT code, worker threads' stacks.
const NODE = `
let x = 0; for (let i = 0; i < 1e6; i++) x += Math.sqrt(i)
console.log("ready", x); setInterval(() => {}, 1000)
`

let python: ChildProcess
let node: ChildProcess
beforeAll(async () => {
  ;[python, node] = await Promise.all([ready(PYTHON, ['-c', PY]), ready(process.execPath, ['-e', NODE])])
})
afterAll(() => {
  python?.kill('SIGKILL')
  node?.kill('SIGKILL')
})

describe('memory map', () => {
  for (const [name, child] of [['python3', () => python], ['node', () => node]] as const) {
    it(`${name}: the regions' resident, private and swapped bytes add up to smaps_rollup's`, async () => {
      const { map, kernel } = await stoppedRead(child())
      expect(map.pid).toBe(child().pid)
      expect(map.kind.length).toBeGreaterThan(20)
      expect(sum(map.residentBytes)).toBe(kernel.rss)
      expect(sum(map.privateBytes)).toBe(kernel.private)
      expect(sum(map.swapBytes)).toBe(kernel.swap)
      for (let i = 0; i < map.kind.length; i++) {
        expect(map.end[i]).toBeGreaterThan(map.start[i])
        if (i > 0) expect(map.start[i]).toBeGreaterThanOrEqual(map.end[i - 1])
        expect(map.residentBytes[i]).toBeLessThanOrEqual(Number(map.end[i] - map.start[i]))
        expect(map.privateBytes[i]).toBeLessThanOrEqual(map.residentBytes[i])
        expect(map.strings[map.perms[i]]).toMatch(/^[r-][w-][x-][ps]$/)
      }
    })
  }

  it('python3: images, the heap and thread arenas, every stack, a mapped data file', async () => {
    const { map } = await stoppedRead(python)
    expect(pathsOf(map, 'image').some((p) => p.endsWith('/libc.so.6'))).toBe(true)
    expect(pathsOf(map, 'image').some((p) => /python3/.test(p))).toBe(true)
    expect(pathsOf(map, 'heap')).toContain('[heap]')
    // The thread's arena is anonymous memory the heap list names: heap, not anon.
    expect(pathsOf(map, 'heap').filter((p) => p === '').length).toBeGreaterThan(0)
    expect(pathsOf(map, 'stack')).toContain('[stack]')
    expect(pathsOf(map, 'stack').filter((p) => p === '').length).toBeGreaterThanOrEqual(1)
    // The executable mapped as data is the image too (the same file); a locale or other file is not.
    const mapped = pathsOf(map, 'mapped-file')
    for (const p of mapped) expect(pathsOf(map, 'image')).not.toContain(p)
  })

  it("node: V8's anonymous executable code is JIT, its worker threads have stacks", async () => {
    const { map } = await stoppedRead(node)
    expect(pathsOf(map, 'jit').length).toBeGreaterThan(0)
    for (const i of map.kind.keys()) if (kindOf(map, i) === 'jit') expect(map.strings[map.perms[i]][2]).toBe('x')
    const threads = fs.readdirSync(`/proc/${node.pid}/task`).length
    expect(threads).toBeGreaterThan(2)
    expect(pathsOf(map, 'stack').length).toBeGreaterThanOrEqual(2)
  })

  it('a kernel thread has no regions; a missing pid rejects with ESRCH, a bad one throws a TypeError', async () => {
    expect((await addon.memoryMap(2)).kind.length).toBe(0)
    await expect(addon.memoryMap(MISSING_PID)).rejects.toMatchObject({ code: 'ESRCH', pid: MISSING_PID, scope: 'memorymap' })
    expect(() => addon.memoryMap(-1)).toThrow(TypeError)
  })
})
