import { afterEach, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadAddon, type NativeModule } from '../index'
import { buildFixture, startFixture, type RunningFixture } from './fixtures'

const addon = loadAddon()

interface DlopenInfo {
  pid: number
  lib: string
  symbol: string
}

interface DlmopenInfo {
  pid: number
  ownLibc: { base: string; path: string }
  secondLibc: { base: string; path: string }
  data: { address: string; size: number; path: string }
}

interface OracleMapping {
  start: number
  end: number
  offset: number
  path: string
}

/** native/test/elf_oracle.py: pyelftools' reading of each module's headers, and the executable mappings of maps. */
function elfOracle(pid: number, modules: NativeModule[]): { images: { isElf: boolean; span: number }[]; executable: OracleMapping[] } {
  const input = JSON.stringify(modules.map((m) => ({ path: m.exePath, base: m.baseAddress })))
  // Debian's python3, which has python3-pyelftools (PATH may find another one first).
  const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'elf_oracle.py'), String(pid)], { input, encoding: 'utf8' })
  return JSON.parse(out)
}

/** Builds the test library into a fresh temporary file (so a test may delete it). */
function buildLibrary(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-mod-'))
  const lib = path.join(dir, 'libsnapfix.so')
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', lib, path.join(__dirname, 'fixtures', 'snapfix_lib.c')])
  return lib
}

/** The page-rounded span of the PT_LOAD segments, read from the ELF file with no help from the addon. */
function loadSpanFromFile(file: string): number {
  const b = fs.readFileSync(file)
  const phoff = Number(b.readBigUInt64LE(0x20))
  const phentsize = b.readUInt16LE(0x36)
  const phnum = b.readUInt16LE(0x38)
  let lo = Infinity
  let hi = 0
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize
    if (b.readUInt32LE(at) !== 1) continue // PT_LOAD
    const vaddr = Number(b.readBigUInt64LE(at + 0x10))
    const memsz = Number(b.readBigUInt64LE(at + 0x28))
    lo = Math.min(lo, Math.floor(vaddr / 4096) * 4096)
    hi = Math.max(hi, Math.ceil((vaddr + memsz) / 4096) * 4096)
  }
  return hi - lo
}

/** The first offset-0 mapping of `file` in the target's maps. */
function mapsBase(pid: number, file: string): bigint {
  const line = fs
    .readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .find((l) => l.endsWith(file) && l.split(/\s+/)[2] === '00000000')
  if (!line) throw new Error(`${file} not in maps of ${pid}`)
  return BigInt('0x' + line.split('-')[0])
}

let running: RunningFixture<DlopenInfo> | undefined
afterEach(async () => {
  await running?.stop()
  running = undefined
})

describe('module lists', () => {
  it('list a dlopened library with the base of its maps and the size of its ELF headers', async () => {
    const lib = buildLibrary()
    running = await startFixture<DlopenInfo>('dlopen_fixture', [lib])
    const { pid } = running.info
    const snap = await addon.snapshot({ processes: false, threads: false, modules: true, pid })
    expect(snap.errors).toEqual([])
    const mod = snap.modules.find((m) => m.exePath === lib)!
    expect(mod).toBeDefined()
    expect(mod).toMatchObject({ pid, moduleName: 'libsnapfix.so', deleted: false })
    expect(BigInt(mod.baseAddress)).toBe(mapsBase(pid, lib))
    expect(mod.baseSize).toBe(loadSpanFromFile(lib))
    const symbol = BigInt(running.info.symbol)
    expect(symbol >= BigInt(mod.baseAddress) && symbol < BigInt(mod.baseAddress) + BigInt(mod.baseSize)).toBe(true)

    const names = snap.modules.map((m) => m.moduleName)
    expect(names).toContain('dlopen_fixture')
    expect(names).toContain('libc.so.6')
    expect(names).toContain('[vdso]')
    // Mapped data files are not modules, and each image is listed once.
    expect(new Set(snap.modules.map((m) => m.baseAddress)).size).toBe(snap.modules.length)
    const exe = snap.modules.find((m) => m.moduleName === 'dlopen_fixture')!
    expect(exe.exePath).toBe(buildFixture('dlopen_fixture'))
  })

  it('mark a library deleted after it was loaded, still sized from the image in memory', async () => {
    const lib = buildLibrary()
    running = await startFixture<DlopenInfo>('dlopen_fixture', [lib])
    const size = loadSpanFromFile(lib)
    fs.rmSync(lib)
    const snap = await addon.snapshot({ processes: false, threads: false, modules: true, pid: running.info.pid })
    const mod = snap.modules.find((m) => m.exePath === lib)!
    expect(mod.deleted).toBe(true)
    expect(mod.baseSize).toBe(size)
  })

  it("size node's own image from its headers, not from its far-away remappings", async () => {
    const snap = await addon.snapshot({ processes: false, threads: false, modules: true, pid: null })
    const node = snap.modules.find((m) => m.exePath === fs.realpathSync(process.execPath))!
    expect(node).toBeDefined()
    expect(node.baseSize).toBe(loadSpanFromFile(node.exePath))
    expect(node.baseSize).toBeLessThan(1 << 30)
  })

  it('list each load of a file (a second libc by dlmopen) and no file mapped as data, as pyelftools and /proc/PID/maps see them', async () => {
    const data = '/usr/bin/ls'
    const fixture = await startFixture<DlmopenInfo>('dlmopen_fixture', [data])
    try {
      const { pid, ownLibc, secondLibc } = fixture.info
      expect(ownLibc.base).not.toBe(secondLibc.base)
      const snap = await addon.snapshot({ processes: false, threads: false, modules: true, pid })
      expect(snap.errors).toEqual([])
      const modules = snap.modules

      // The loader's own view (dladdr, dlinfo): one libc module at each of its bases.
      const libcs = modules.filter((m) => m.moduleName === 'libc.so.6')
      expect(libcs.map((m) => BigInt(m.baseAddress)).sort()).toEqual([BigInt(ownLibc.base), BigInt(secondLibc.base)].sort())
      for (const m of libcs) expect(fs.realpathSync(m.exePath)).toBe(fs.realpathSync(ownLibc.path))
      // The read-only mapping of an executable is data, not a module.
      expect(modules.filter((m) => m.exePath === data || BigInt(m.baseAddress) === BigInt(fixture.info.data.address))).toEqual([])

      const oracle = elfOracle(pid, modules)
      // pyelftools on each file (on the process's memory for [vdso]): an ELF image of that size.
      modules.forEach((m, i) => expect(oracle.images[i], m.moduleName).toEqual({ isElf: true, span: m.baseSize }))
      // Every executable mapping of a file lies in exactly one module of that file, and every module
      // holds one at least.
      const holders = (x: OracleMapping) =>
        modules.filter((m) => (m.exePath || '[vdso]') === x.path && x.start >= Number(m.baseAddress) && x.end <= Number(m.baseAddress) + m.baseSize)
      for (const x of oracle.executable) expect(holders(x).length, `${x.path} at 0x${x.start.toString(16)}`).toBe(1)
      for (const m of modules) expect(oracle.executable.filter((x) => holders(x).includes(m)).length, m.moduleName).toBeGreaterThan(0)
    } finally {
      await fixture.stop()
    }
  })

  it('reject a module list of a pid that does not exist with ESRCH', async () => {
    const pid = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1
    await expect(addon.snapshot({ processes: false, threads: false, modules: true, pid })).rejects.toMatchObject({ code: 'ESRCH' })
  })
})

describe('memory regions', () => {
  it("classify the heap, every thread's stack and the images", async () => {
    const regions = await addon.memoryRegions(process.pid)
    expect(regions.some((r) => r.kind === 'heap' && r.path === '[heap]')).toBe(true)
    const stacks = regions.filter((r) => r.kind === 'stack')
    const tids = fs.readdirSync(`/proc/${process.pid}/task`).map(Number)
    // A thread's stack is found through its stack pointer, which the kernel shows while the thread
    // sits in a syscall (a thread running at that instant has none to show).
    expect(stacks.find((s) => s.path === '[stack]')?.tid).toBe(process.pid)
    const found = tids.filter((tid) => stacks.some((s) => s.tid === tid))
    expect(found.length).toBeGreaterThanOrEqual(Math.ceil(tids.length / 2))
    expect(regions.some((r) => r.kind === 'image' && r.path.endsWith('libc.so.6'))).toBe(true)
    for (const r of regions) expect(BigInt(r.end) > BigInt(r.start)).toBe(true)
  })

  it('reject a pid that does not exist with ESRCH and a bad pid with a TypeError', async () => {
    await expect(addon.memoryRegions(0x7ffffff0)).rejects.toMatchObject({ code: 'ESRCH' })
    expect(() => addon.memoryRegions(-1)).toThrow(TypeError)
  })
})
