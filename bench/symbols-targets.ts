// The symbols benchmark's targets and addresses: a real python3 (idle after importing extension modules)
// and a real node (idle on a keepalive), and a deterministic batch of code addresses spread over the
// modules each has mapped executable, picked from the modules' own ELF symbols as pyelftools reads them
// (bench/symbols-elf.py: an independent source, not the elfutils both tools under test use).
//
// The mix (of `count` addresses, shuffled):
// - 90 % in a function: a module with sized function symbols (chosen with weight √(its functions): every
//   module gets some, the big ones more, no single-function module gets thousands), one of its functions
//   uniformly, an offset uniformly inside the function's size;
// - 9 % in no symbol: a module whose executable segments have bytes no sized function symbol covers (PLT,
//   padding, static functions of a stripped file; weight √(those bytes)), a byte uniformly among them:
//   a tool that names the nearest symbol below such a byte names the wrong function;
// - 1 % in no module: a hole between the process's mappings (no file, no code).
// Where a file is mapped executable twice (node maps its builtins' text a second time), an address goes
// through either mapping. [vdso] and [vsyscall] have no file to read and get no addresses.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { rng } from '../test-support/fuzzCases'

export const SHARE_IN_FUNCTION = 0.9
export const SHARE_IN_NO_SYMBOL = 0.09

export interface Target {
  name: string
  pid: number
  stop(): Promise<void>
}

const PYTHON = '/usr/bin/python3'
/** Extension modules (and through them libssl, libcrypto, libffi, libsqlite3, libmpdec, liblzma, libbz2, libexpat, libz) */
const PYTHON_IMPORTS = ['ssl', 'ctypes', 'decimal', 'sqlite3', 'json', 'hashlib', 'lzma', 'bz2', 'zlib', 'xml.parsers.expat']

/** Starts `command` and resolves once it printed "ready"; it idles until its stdin closes. */
async function startIdle(name: string, command: string, args: string[]): Promise<Target> {
  const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  proc.stdin!.on('error', () => {})
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`${name} (${command}) did not start within 10 s`)), 10_000)
    proc.once('error', (error) => reject(new Error(`cannot start ${name} (${command}): ${error.message}`)))
    proc.once('exit', (code) => reject(new Error(`${name} (${command}) exited (${code}) before it was ready`)))
    proc.stdout!.on('data', (d: Buffer) => {
      text += d
      if (text.includes('ready\n')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  return {
    name,
    pid: proc.pid!,
    async stop() {
      proc.stdin!.end()
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(killer)
    }
  }
}

export function pythonAvailable(): string | null {
  const check = spawnSync(PYTHON, ['-c', `import elftools, ${PYTHON_IMPORTS.join(', ')}`], { encoding: 'utf8' })
  if (check.error) return `${PYTHON} cannot run: ${check.error.message}`
  if (check.status !== 0) return `${PYTHON} lacks a module the benchmark needs (Debian: python3-pyelftools): ${check.stderr.trim().split('\n').pop()}`
  return null
}

export const startPython = (): Promise<Target> =>
  startIdle('python3', PYTHON, ['-c', `import sys, ${PYTHON_IMPORTS.join(', ')}\nprint("ready", flush=True)\nsys.stdin.read()`])

export const startNode = (): Promise<Target> =>
  startIdle('node', process.execPath, ['-e', `require('zlib').gzipSync('x'); require('crypto').randomBytes(8); process.stdin.on('end', () => process.exit(0)).resume(); console.log('ready')`])

interface Mapping {
  start: number
  end: number
  offset: number
  executable: boolean
  path: string
}

function readMaps(pid: number): Mapping[] {
  return fs
    .readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [range, perms, offset, , , ...rest] = line.split(/\s+/)
      const [start, end] = range.split('-').map((h) => parseInt(h, 16))
      return { start, end, offset: parseInt(offset, 16), executable: perms[2] === 'x', path: rest.join(' ') }
    })
}

interface ElfDescription {
  path: string
  error?: string
  buildId: string | null
  debugFile: string | null
  loads: { offset: number; vaddr: number; filesz: number; executable: boolean }[]
  functions: [number, number, string][]
}

function describeElfs(paths: string[]): ElfDescription[] {
  const script = path.join(__dirname, 'symbols-elf.py')
  const run = spawnSync(PYTHON, [script, ...paths], { encoding: 'utf8', maxBuffer: 1 << 30 })
  if (run.status !== 0) throw new Error(`${script} failed: ${run.error?.message ?? run.stderr.trim()}`)
  return run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as ElfDescription)
}

/** One function (or several symbols naming the same code): [start, start + size) in file addresses. */
interface Fn {
  start: number
  size: number
  names: string[]
}

export interface Module {
  path: string
  buildId: string | null
  debugFile: string | null
  functions: Fn[]
  /** file address + bias = runtime address, per executable range (file addresses) */
  ranges: { from: number; to: number; bias: number }[]
  /** [from, to) file-address ranges of executable bytes no sized function covers */
  gaps: [number, number][]
  /** bytes in gaps */
  gapBytes: number
}

export type PickKind = 'function' | 'no symbol' | 'no module'

export interface Pick {
  address: bigint
  kind: PickKind
  /** index into the AddressSet's modules; -1 for 'no module' */
  module: number
  /** for 'function': the function picked */
  fn?: Fn
  /** for 'function': how many distinct functions (starts) cover the address (> 1: overlapping symbols) */
  covering?: number
  /** through a mapping of the file other than its first one */
  secondMapping?: boolean
}

export interface AddressSet {
  addresses: BigUint64Array
  picks: Pick[]
  modules: Module[]
  /** modules mapped executable that got no addresses, and why */
  skippedModules: string[]
}

function buildModule(file: string, mappings: Mapping[], elf: ElfDescription): Module {
  const ranges: Module['ranges'] = []
  for (const m of mappings) {
    for (const s of elf.loads) {
      if (!s.executable) continue
      // The part of the segment's file bytes this mapping maps.
      const from = Math.max(s.offset, m.offset)
      const to = Math.min(s.offset + s.filesz, m.offset + (m.end - m.start))
      if (from >= to) continue
      const bias = m.start - m.offset + s.offset - s.vaddr
      ranges.push({ from: from - s.offset + s.vaddr, to: to - s.offset + s.vaddr, bias })
    }
  }
  const inRange = (a: number) => ranges.some((r) => a >= r.from && a < r.to)
  const byStart = new Map<string, Fn>()
  for (const [start, size, name] of elf.functions) {
    if (size === 0 || !inRange(start) || !inRange(start + size - 1)) continue
    const key = `${start}:${size}`
    const fn = byStart.get(key)
    if (fn) fn.names.push(name)
    else byStart.set(key, { start, size, names: [name] })
  }
  const functions = [...byStart.values()].sort((a, b) => a.start - b.start || a.size - b.size)
  // Names of every symbol at a start are aliases of one another (a shorter and a longer symbol at the
  // same start both name the code at that start).
  const namesAt = new Map<number, string[]>()
  for (const fn of functions) namesAt.set(fn.start, [...new Set([...(namesAt.get(fn.start) ?? []), ...fn.names])])
  for (const fn of functions) fn.names = namesAt.get(fn.start)!
  const gaps: [number, number][] = []
  for (const r of ranges) {
    let at = r.from
    for (const fn of functions) {
      if (fn.start + fn.size <= at || fn.start >= r.to) continue
      if (fn.start > at) gaps.push([at, fn.start])
      at = Math.max(at, fn.start + fn.size)
    }
    if (at < r.to) gaps.push([at, r.to])
  }
  return { path: file, buildId: elf.buildId, debugFile: elf.debugFile, functions, ranges, gaps, gapBytes: gaps.reduce((n, [a, b]) => n + b - a, 0) }
}

/** The runtime address of fileAddress through one of the mappings that map it (node maps part of its text twice), chosen by `below`. */
function runtime(module: Module, fileAddress: number, below: (n: number) => number): { address: bigint; secondMapping: boolean } {
  const rs = module.ranges.filter((x) => fileAddress >= x.from && fileAddress < x.to)
  if (!rs.length) throw new Error(`${module.path}: ${fileAddress.toString(16)} is in no executable mapping`)
  const k = below(rs.length)
  return { address: BigInt(fileAddress + rs[k].bias), secondMapping: k > 0 }
}

/** The module and file address (as in its ELF headers and symbols) of a runtime address; null when in no module. */
export function fileAddress(set: AddressSet, address: bigint): { module: Module; address: number } | null {
  const a = Number(address)
  for (const module of set.modules) {
    const r = module.ranges.find((x) => a - x.bias >= x.from && a - x.bias < x.to)
    if (r) return { module, address: a - r.bias }
  }
  return null
}

/** Picks one of `items` with probability proportional to the square root of its weight. */
function weighted<T>(items: T[], weight: (t: T) => number, random: () => number): () => T {
  const cumulative: number[] = []
  let total = 0
  for (const item of items) cumulative.push((total += Math.sqrt(weight(item))))
  return () => {
    const x = random() * total
    let lo = 0
    let hi = items.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid] > x) hi = mid
      else lo = mid + 1
    }
    return items[lo]
  }
}

/** Distinct function starts whose function covers fileAddress: from the last start at or below it back by the module's largest size. */
function covering(module: Module, fileAddress: number, maxSize: number): number {
  const fns = module.functions
  let lo = 0
  let hi = fns.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (fns[mid].start <= fileAddress) lo = mid + 1
    else hi = mid
  }
  const starts = new Set<number>()
  for (let i = lo - 1; i >= 0 && fns[i].start + maxSize > fileAddress; i--) {
    if (fileAddress < fns[i].start + fns[i].size) starts.add(fns[i].start)
  }
  return starts.size
}

/** `count` addresses in the executable modules of pid, the mix above, from `seed`. */
export function pickAddresses(pid: number, count: number, seed: number): AddressSet {
  const maps = readMaps(pid)
  const files = [...new Set(maps.filter((m) => m.executable && m.path.startsWith('/')).map((m) => m.path))]
  const skippedModules = maps.filter((m) => m.executable && !m.path.startsWith('/')).map((m) => `${m.path || '(anonymous)'}: no file to read`)
  const modules: Module[] = []
  for (const elf of describeElfs(files)) {
    if (elf.error) {
      skippedModules.push(`${elf.path}: ${elf.error}`)
      continue
    }
    modules.push(buildModule(elf.path, maps.filter((m) => m.path === elf.path && m.executable), elf))
  }
  const withFunctions = modules.filter((m) => m.functions.length > 0)
  const withGaps = modules.filter((m) => m.gapBytes > 0)
  if (withFunctions.length === 0) throw new Error(`pid ${pid}: no module has function symbols (${skippedModules.join('; ')})`)
  const maxSize = new Map(modules.map((m) => [m, Math.max(0, ...m.functions.map((f) => f.size))]))

  // Holes between mappings, in the lower half of the address space above the first 64 KiB.
  const holes: [number, number][] = []
  const sorted = [...maps].sort((a, b) => a.start - b.start)
  for (let i = 0, at = 0x10000; i < sorted.length && at < 0x7fff_ffff_0000; at = Math.max(at, sorted[i].end), i++) {
    if (sorted[i].start > at) holes.push([at, Math.min(sorted[i].start, 0x7fff_ffff_0000)])
  }

  const random = rng(seed)
  const below = (n: number) => Math.floor(random() * n)
  const moduleForFunction = weighted(withFunctions, (m) => m.functions.length, random)
  const moduleForGap = weighted(withGaps, (m) => m.gapBytes, random)
  const picks: Pick[] = []
  const inFunction = Math.round(count * SHARE_IN_FUNCTION)
  const inNoSymbol = withGaps.length ? Math.round(count * SHARE_IN_NO_SYMBOL) : 0
  for (let i = 0; i < count; i++) {
    if (i < inFunction) {
      const m = moduleForFunction()
      const fn = m.functions[below(m.functions.length)]
      const a = fn.start + below(fn.size)
      picks.push({ ...runtime(m, a, below), kind: 'function', module: modules.indexOf(m), fn, covering: covering(m, a, maxSize.get(m)!) })
    } else if (i < inFunction + inNoSymbol) {
      const m = moduleForGap()
      let byte = below(m.gapBytes)
      let g = 0
      while (byte >= m.gaps[g][1] - m.gaps[g][0]) byte -= m.gaps[g][1] - m.gaps[g++][0]
      picks.push({ ...runtime(m, m.gaps[g][0] + byte, below), kind: 'no symbol', module: modules.indexOf(m) })
    } else {
      const [a, b] = holes[below(holes.length)]
      picks.push({ address: BigInt(a + below(Math.min(b - a, 2 ** 32))), kind: 'no module', module: -1 })
    }
  }
  for (let i = picks.length - 1; i > 0; i--) {
    const j = below(i + 1)
    ;[picks[i], picks[j]] = [picks[j], picks[i]]
  }
  return { addresses: BigUint64Array.from(picks.map((p) => p.address)), picks, modules, skippedModules }
}

/** "90,000 in functions of 12 modules, …": what the set holds, for the notes. */
export function describeMix(set: AddressSet): string {
  const n = (kind: PickKind) => set.picks.filter((p) => p.kind === kind).length
  const used = new Set(set.picks.filter((p) => p.module >= 0).map((p) => set.modules[p.module].path))
  const withDebug = set.modules.filter((m) => m.debugFile && used.has(m.path)).map((m) => path.basename(m.path))
  const second = set.picks.filter((p) => p.secondMapping).length
  const overlapping = set.picks.filter((p) => (p.covering ?? 1) > 1).length
  return (
    `${set.picks.length.toLocaleString('en-US')} addresses: ${n('function').toLocaleString('en-US')} inside sized function symbols, ` +
    `${n('no symbol').toLocaleString('en-US')} in executable bytes no function symbol covers, ${n('no module').toLocaleString('en-US')} in no mapping; ` +
    `${second ? `${second.toLocaleString('en-US')} of them through a second mapping of their file, ` : ''}${overlapping ? `${overlapping} inside overlapping symbols, ` : ''}` +
    `over ${used.size} modules (${[...used].map((p) => path.basename(p)).join(', ')}); separate debug info for ${withDebug.join(', ') || 'none'}` +
    (set.skippedModules.length ? `; no addresses in ${set.skippedModules.join(', ')}` : '')
  )
}
