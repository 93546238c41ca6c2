// symbolize(pid, addresses) against real programs built here and against eu-addr2line on the same
// addresses: C functions, C++ methods, inlined frames, a .gnu_debuglink'd binary, libraries loaded
// late, deleted or stripped, libc's malloc, JIT code described by a perf map.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { loadAddon, type NativeSymbolBatch } from '../index'
import { SYMBOL_SOURCES } from '../../src-common/contract/types'
import { addr2line, addr2lineFile, type Addr2lineAnswer, type Addr2lineFrame } from '../../test-support/addr2line'
import { startFixture, startZombie, type RunningFixture } from './fixtures'

const addon = loadAddon()
const FIXTURES = path.join(__dirname, 'fixtures')

interface FixtureInfo {
  pid: number
  cFunction: string
  method: string
  outer: string
  inlinedReturn: string
  malloc: string
  mallocName: string
  jit: string
  perfMap: string
}

interface Loaded {
  function: string
  hidden: string
}

interface Symbol {
  module: string
  modulePath: string
  moduleOffset: number
  function: string | null
  offset: number
  file: string | null
  line: number | null
  inlined: Addr2lineFrame[]
  source: string | null
  exact: boolean
}

/** Row i of a batch, with "" and 0 as null like the CLI's JSON. */
function row(batch: NativeSymbolBatch, i: number): Symbol {
  const text = (index: number) => batch.strings[index] || null
  const inlined: Addr2lineFrame[] = []
  for (let k = batch.inlineStart[i]!; k < batch.inlineStart[i + 1]!; k++) {
    inlined.push({ function: text(batch.inlineFunction[k]!), file: text(batch.inlineFile[k]!), line: batch.inlineLine[k]! || null })
  }
  return {
    module: batch.strings[batch.module[i]!]!,
    modulePath: batch.strings[batch.modulePath[i]!]!,
    moduleOffset: batch.moduleOffset[i]!,
    function: text(batch.function[i]!),
    offset: batch.offset[i]!,
    file: text(batch.file[i]!),
    line: batch.line[i]! || null,
    inlined,
    source: batch.source[i] ? SYMBOL_SOURCES[batch.source[i]! - 1]! : null,
    exact: batch.exact[i] === 1
  }
}

async function symbolize(pid: number, addresses: readonly bigint[]): Promise<Symbol[]> {
  const batch = await addon.symbolize(pid, BigUint64Array.from(addresses))
  return addresses.map((_, i) => row(batch, i))
}

/** What eu-addr2line says, in the fields it has. */
function oracleView(s: Symbol): Omit<Addr2lineAnswer, 'address'> {
  return { function: s.function, file: s.file, line: s.line, inlined: s.inlined }
}

function withoutAddress(a: Addr2lineAnswer): Omit<Addr2lineAnswer, 'address'> {
  const { address: _, ...rest } = a
  return rest
}

/** The first offset-0 mapping of `file` in the target's maps (those of thread `tid` when given): the module's base. */
function mapsBase(pid: number, file: string, tid?: number): bigint {
  const line = fs
    .readFileSync(tid === undefined ? `/proc/${pid}/maps` : `/proc/${pid}/task/${tid}/maps`, 'utf8')
    .split('\n')
    .find((l) => l.split(/\s+/)[5] === file && l.split(/\s+/)[2] === '00000000')
  if (!line) throw new Error(`${file} not in maps of ${pid}`)
  return BigInt('0x' + line.split('-')[0])
}

/** The page-aligned address of an ELF file's first PT_LOAD (what its offset-0 mapping maps). */
function firstLoad(file: string): bigint {
  const b = fs.readFileSync(file)
  const phoff = Number(b.readBigUInt64LE(0x20))
  const [phentsize, phnum] = [b.readUInt16LE(0x36), b.readUInt16LE(0x38)]
  let lowest = -1n
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize
    if (b.readUInt32LE(at) !== 1) continue // PT_LOAD
    const vaddr = b.readBigUInt64LE(at + 0x10) & ~0xfffn
    if (lowest < 0n || vaddr < lowest) lowest = vaddr
  }
  return lowest
}

let dir: string
let program: string // C++ -O2 -g, with .symtab
let stripped: string // the same, .symtab and DWARF moved to .debug/symbols_fixture.debug (.gnu_debuglink)
let strippedAlone: string // a stripped build without a debug file
let library: string // -O2 -g shared library
let strippedLibrary: string // the same, strip --strip-all (only .dynsym left)
let namespaceFull: string // another build of the library, with everything
let namespaceLibrary: string // it stripped, with a .gnu_debuglink to namespaceDebug
let namespaceDebug: string

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
}

// Each variant is linked with a build-id of its own: the symbolizer shares what it knows about an image
// with every file of the same build-id (the same code), which would answer for a stripped copy.
function ownBuildId(): string {
  return `-Wl,--build-id=0x${randomBytes(20).toString('hex')}`
}

function compileProgram(output: string): void {
  run('c++', ['-O2', '-g', '-Wall', '-Wno-pmf-conversions', ownBuildId(), '-o', output, path.join(FIXTURES, 'symbols_fixture.cc'), '-ldl'])
}

// -fno-toplevel-reorder: the functions in source order, so the static one lies past an export.
function compileLibrary(output: string): void {
  run('cc', ['-O2', '-g', '-shared', '-fPIC', '-fno-toplevel-reorder', '-Wall', ownBuildId(), '-o', output, path.join(FIXTURES, 'symbols_lib.c')])
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-sym-'))
  program = path.join(dir, 'symbols_fixture')
  compileProgram(program)
  const debugDir = path.join(dir, 'linked')
  fs.mkdirSync(path.join(debugDir, '.debug'), { recursive: true })
  const full = path.join(dir, 'symbols_fixture.full')
  compileProgram(full)
  stripped = path.join(debugDir, 'symbols_fixture')
  const debugFile = path.join(debugDir, '.debug', 'symbols_fixture.debug')
  run('objcopy', ['--only-keep-debug', full, debugFile])
  run('objcopy', ['--strip-all', `--add-gnu-debuglink=${debugFile}`, full, stripped])
  fs.mkdirSync(path.join(dir, 'alone'))
  strippedAlone = path.join(dir, 'alone', 'symbols_fixture')
  compileProgram(full)
  run('objcopy', ['--strip-all', full, strippedAlone])
  library = path.join(dir, 'libsymfix.so')
  compileLibrary(library)
  strippedLibrary = path.join(dir, 'libsymfix-stripped.so')
  compileLibrary(strippedLibrary)
  run('strip', ['--strip-all', strippedLibrary])
  namespaceFull = path.join(dir, 'libsymfix-ns.full.so')
  compileLibrary(namespaceFull)
  namespaceDebug = path.join(dir, 'libsymfix-ns.so.debug')
  namespaceLibrary = path.join(dir, 'libsymfix-ns.so')
  run('objcopy', ['--only-keep-debug', namespaceFull, namespaceDebug])
  run('objcopy', ['--strip-all', `--add-gnu-debuglink=${namespaceDebug}`, namespaceFull, namespaceLibrary])
}, 60_000)

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

const running: RunningFixture<FixtureInfo>[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.stop()))
})

async function start(binary: string): Promise<RunningFixture<FixtureInfo>> {
  const fixture = await startFixture<FixtureInfo>('symbols_fixture', [], { binary })
  running.push(fixture)
  return fixture
}

/** Sends one command line to the fixture and resolves with the JSON line it answers. */
function command<T>(fixture: RunningFixture<FixtureInfo>, line: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let received = ''
    const onData = (chunk: Buffer) => {
      received += chunk.toString('utf8')
      const end = received.indexOf('\n')
      if (end < 0) return
      fixture.proc.stdout!.off('data', onData)
      try {
        resolve(JSON.parse(received.slice(0, end)) as T)
      } catch (error) {
        reject(error as Error)
      }
    }
    fixture.proc.stdout!.on('data', onData)
    fixture.proc.stdin!.write(`${line}\n`)
  })
}

/** The fixture's own code addresses: function entries, and the return address into inlined code (minus one, as unwinders look it up). */
function ownAddresses(info: FixtureInfo): bigint[] {
  return [BigInt(info.cFunction), BigInt(info.method), BigInt(info.outer), BigInt(info.inlinedReturn) - 1n, BigInt(info.cFunction) + 4n]
}

describe('symbolize: the program itself', () => {
  it('names C functions, C++ methods (demangled) and inlined frames as eu-addr2line does', async () => {
    const { info } = await start(program)
    const addresses = ownAddresses(info)
    const [ours, theirs] = await Promise.all([symbolize(info.pid, addresses), addr2line(info.pid, addresses)])
    expect(ours.map(oracleView)).toEqual(theirs.map(withoutAddress))

    const [cFunction, method, outer, inlined, inside] = ours
    expect(cFunction!.function).toBe('snapfix_c_function')
    expect(method!.function).toBe('snapfix::shapes::Widget::turn(int)')
    expect(outer!.function).toBe('snapfix_outer')
    expect(inlined!.function).toBe('snapfix_outer')
    expect(inlined!.inlined.map((f) => f.function)).toEqual(['snapfix_inlined'])
    expect(inside!.offset).toBe(4)
    for (const s of ours) {
      expect(s.file).toBe(path.join(FIXTURES, 'symbols_fixture.cc'))
      expect(s).toMatchObject({ module: 'symbols_fixture', modulePath: program, source: 'symtab', exact: true })
    }
    const base = mapsBase(info.pid, program)
    expect(ours.map((s) => BigInt(s.moduleOffset))).toEqual(addresses.map((a) => a - base))
  })

  it('finds a stripped binary\'s symbols and lines through .gnu_debuglink (.debug/ beside it), as eu-addr2line does', async () => {
    const linked = await start(stripped)
    const alone = await start(strippedAlone)
    const addresses = ownAddresses(linked.info)
    const [ours, theirs] = await Promise.all([symbolize(linked.info.pid, addresses), addr2line(linked.info.pid, addresses)])
    expect(ours.map(oracleView)).toEqual(theirs.map(withoutAddress))
    expect(ours[0]).toMatchObject({ function: 'snapfix_c_function', source: 'symtab', exact: true })
    expect(ours[3]!.inlined.map((f) => f.function)).toEqual(['snapfix_inlined'])

    // The same code without its debug file has no name (none of these functions is exported) and no line.
    const bare = await symbolize(alone.info.pid, ownAddresses(alone.info))
    for (const s of bare) expect(s).toMatchObject({ module: 'symbols_fixture', function: null, file: null, exact: false })
  })

  it('never asks a debuginfod server, even with DEBUGINFOD_URLS set', async () => {
    // A server that counts what it is asked; the program has no debug file anywhere on this machine.
    const asked: string[] = []
    const server = http.createServer((request, response) => {
      asked.push(request.url ?? '')
      response.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const saved = process.env.DEBUGINFOD_URLS
    process.env.DEBUGINFOD_URLS = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    try {
      const full = path.join(dir, 'symbols_fixture.nodebug')
      compileProgram(full)
      const bare = path.join(dir, 'alone', 'symbols_fixture.nodebug')
      run('objcopy', ['--strip-all', full, bare])
      const { info } = await start(bare)
      const [ours] = await symbolize(info.pid, [BigInt(info.outer)])
      expect(ours).toMatchObject({ module: 'symbols_fixture.nodebug', function: null, file: null })
      expect(asked).toEqual([])
    } finally {
      if (saved === undefined) delete process.env.DEBUGINFOD_URLS
      else process.env.DEBUGINFOD_URLS = saved
      server.close()
    }
  })

  it('names libc\'s malloc as dladdr does, at eu-addr2line\'s file and line', async () => {
    const { info } = await start(program)
    const address = BigInt(info.malloc)
    const [[ours], [theirs]] = await Promise.all([symbolize(info.pid, [address]), addr2line(info.pid, [address])])
    expect(info.mallocName).toBe('malloc')
    expect(ours).toMatchObject({ function: info.mallocName, module: 'libc.so.6', offset: 0, exact: true })
    expect({ file: ours!.file, line: ours!.line }).toEqual({ file: theirs!.file, line: theirs!.line })
  })

  it('names code of a non-PIE executable (ET_EXEC, at its link-time address) as eu-addr2line does', async () => {
    const fixed = path.join(dir, 'symbols_fixture.nopie')
    run('c++', ['-O2', '-g', '-no-pie', '-Wall', '-Wno-pmf-conversions', ownBuildId(), '-o', fixed, path.join(FIXTURES, 'symbols_fixture.cc'), '-ldl'])
    const { info } = await start(fixed)
    const addresses = ownAddresses(info)
    expect(addresses[0]! < 0x1000000n).toBe(true) // linked at 0x400000, not relocated
    const [ours, theirs] = await Promise.all([symbolize(info.pid, addresses), addr2line(info.pid, addresses)])
    expect(ours.map(oracleView)).toEqual(theirs.map(withoutAddress))
    expect(ours[0]).toMatchObject({ function: 'snapfix_c_function', module: 'symbols_fixture.nopie', exact: true })
  })

  it('names code in a second mapping of the executable (mapped again elsewhere, as node does) like the original', async () => {
    const fixture = await start(program)
    const { cFunction: copy } = await command<{ cFunction: string }>(fixture, 'remap')
    const original = BigInt(fixture.info.cFunction)
    const mapsText = fs.readFileSync(`/proc/${fixture.info.pid}/maps`, 'utf8')
    const holder = (a: bigint) => mapsText.split('\n').find((l) => {
      const [start, end] = l.split(/\s+/)[0]!.split('-').map((x) => BigInt('0x' + x))
      return a >= start! && a < end!
    })!
    expect(holder(BigInt(copy)).split(/\s+/)[5]).toBe(program) // a file mapping of the program...
    expect(holder(BigInt(copy))).not.toBe(holder(original)) // ...that is not the one the loader made
    const addresses = [original, BigInt(copy), original + 4n, BigInt(copy) + 4n]
    const [cFunction, inCopy, inside, insideCopy] = await symbolize(fixture.info.pid, addresses)
    expect(cFunction).toMatchObject({ function: 'snapfix_c_function', exact: true })
    expect(inCopy).toEqual(cFunction) // moduleOffset too: the place in the image, whichever mapping
    expect(insideCopy).toEqual(inside)
    // llvm-symbolizer, given the file address that moduleOffset names, agrees.
    const fileAddress = BigInt(inCopy!.moduleOffset) + firstLoad(program)
    const llvm = execFileSync('/usr/bin/llvm-symbolizer', [`--obj=${program}`, `0x${fileAddress.toString(16)}`], { encoding: 'utf8' })
    expect(llvm.split('\n')[0]).toBe('snapfix_c_function')
  })

  it('reads a process whose main thread has exited (its leader a zombie) through a live thread', async () => {
    const fixture = await startFixture<{ pid: number; tid: number }>('leader_exit')
    running.push(fixture as unknown as RunningFixture<FixtureInfo>)
    const { pid, tid } = fixture.info
    const libc = fs.readFileSync(`/proc/${pid}/task/${tid}/maps`, 'utf8').split('\n').find((l) => l.endsWith('/libc.so.6'))!.split(/\s+/)[5]!
    const nm = execFileSync('nm', ['-D', '--defined-only', libc], { encoding: 'utf8' })
    const offset = BigInt('0x' + nm.split('\n').find((l) => / malloc(@@.*)?$/.test(l))!.split(' ')[0])
    const [ours] = await symbolize(pid, [mapsBase(pid, libc, tid) + offset])
    expect(ours).toMatchObject({ module: 'libc.so.6', function: 'malloc', offset: 0, exact: true })
  })

  it('says module+offset, nothing else, for an address in no module: a kernel address, 0', async () => {
    const { info } = await start(program)
    const ours = await symbolize(info.pid, [0n, 0xffffffff81000000n])
    for (const s of ours) {
      expect(s).toEqual({ module: '', modulePath: '', moduleOffset: 0, function: null, offset: 0, file: null, line: null, inlined: [], source: null, exact: false })
    }
  })
})

describe('symbolize: libraries', () => {
  it('names a library dlopened after the first lookup, as eu-addr2line does', async () => {
    const fixture = await start(program)
    await symbolize(fixture.info.pid, ownAddresses(fixture.info)) // maps and caches seen before the load
    const loaded = await command<Loaded>(fixture, `load ${library}`)
    const addresses = [BigInt(loaded.function), BigInt(loaded.hidden)]
    const [ours, theirs] = await Promise.all([symbolize(fixture.info.pid, addresses), addr2line(fixture.info.pid, addresses)])
    expect(ours.map(oracleView)).toEqual(theirs.map(withoutAddress))
    expect(ours.map((s) => s.function)).toEqual(['symfix_late_function', 'symfix_hidden'])
    for (const s of ours) expect(s).toMatchObject({ module: 'libsymfix.so', modulePath: library, source: 'symtab', exact: true })
  })

  it('gives names and paths that are not ASCII as they are (UTF-8), beside ASCII ones', async () => {
    const fixture = await start(program)
    const folder = path.join(dir, 'bibliothèque-日本')
    fs.mkdirSync(folder, { recursive: true })
    const copy = path.join(folder, 'libsymfix-é.so')
    fs.copyFileSync(library, copy)
    const loaded = await command<Loaded>(fixture, `load ${copy}`)
    const [ours] = await symbolize(fixture.info.pid, [BigInt(loaded.function)])
    expect(ours).toMatchObject({ module: 'libsymfix-é.so', modulePath: copy, function: 'symfix_late_function', exact: true })
  })

  it('reads a deleted library through /proc/PID/map_files: the answers of the file before it went', async () => {
    const fixture = await start(program)
    const copy = path.join(dir, 'libsymfix-deleted.so')
    fs.copyFileSync(library, copy)
    const loaded = await command<Loaded>(fixture, `delete ${copy}`)
    expect(fs.existsSync(copy)).toBe(false)
    const addresses = [BigInt(loaded.function), BigInt(loaded.hidden)]
    const ours = await symbolize(fixture.info.pid, addresses)
    const base = mapsBase(fixture.info.pid, copy) // maps says "… (deleted)"; the test's mapsBase reads column 6 only
    const theirs = await addr2lineFile(library, addresses.map((a) => a - base))
    expect(ours.map(oracleView)).toEqual(theirs.map(withoutAddress))
    expect(ours.map((s) => s.function)).toEqual(['symfix_late_function', 'symfix_hidden'])
    for (const s of ours) expect(s).toMatchObject({ module: 'libsymfix-deleted.so', modulePath: copy, exact: true })
  })

  it('reads a library only another mount namespace has, and its debug file beside it, through /proc/PID/root', async () => {
    // The fixture in a mount namespace of its own, where a tmpfs over `hidden` holds the stripped
    // library and .debug/ with its debug file; here `hidden` stays empty.
    const hidden = path.join(dir, 'private')
    fs.mkdirSync(hidden)
    const script = [
      `mount -t tmpfs none ${hidden}`,
      `mkdir ${hidden}/.debug`,
      `cp ${namespaceLibrary} ${hidden}/`,
      `cp ${namespaceDebug} ${hidden}/.debug/`,
      `exec ${program}`
    ].join(' && ')
    const fixture = await startFixture<FixtureInfo>('symbols_fixture', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script], { binary: 'unshare' })
    running.push(fixture)
    const inside = path.join(hidden, path.basename(namespaceLibrary))
    const loaded = await command<Loaded>(fixture, `load ${inside}`)
    expect(fs.readdirSync(hidden)).toEqual([])
    const addresses = [BigInt(loaded.function), BigInt(loaded.hidden)]
    const ours = await symbolize(fixture.info.pid, addresses)
    const base = mapsBase(fixture.info.pid, inside)
    const theirs = await addr2lineFile(namespaceFull, addresses.map((a) => a - base))
    expect(ours.map(oracleView)).toEqual(theirs.map(withoutAddress))
    // symfix_hidden is in no .dynsym: only the debug file names it.
    expect(ours.map((s) => s.function)).toEqual(['symfix_late_function', 'symfix_hidden'])
    for (const s of ours) expect(s).toMatchObject({ module: 'libsymfix-ns.so', modulePath: inside, source: 'symtab', exact: true })
  })

  it('gives module+offset, exact false, for code no symbol holds: past the nearest export of a --strip-all library', async () => {
    const fixture = await start(program)
    const loaded = await command<Loaded>(fixture, `load ${strippedLibrary}`)
    const [exported, hidden] = await symbolize(fixture.info.pid, [BigInt(loaded.function), BigInt(loaded.hidden)])
    expect(exported).toMatchObject({ function: 'symfix_late_function', source: 'dynsym', exact: true })
    const base = mapsBase(fixture.info.pid, strippedLibrary)
    expect(hidden).toMatchObject({ module: 'libsymfix-stripped.so', function: null, source: null, exact: false, file: null })
    expect(BigInt(hidden!.moduleOffset)).toBe(BigInt(loaded.hidden) - base)
    // The oracle for "past its size": the exports below the address, by nm, all end before it.
    const offset = BigInt(loaded.hidden) - base
    const below = execFileSync('nm', ['-D', '-S', '--defined-only', strippedLibrary], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length === 4 && /^[tTwW]$/.test(f[2]!))
      .map(([value, size, , name]) => ({ start: BigInt('0x' + value), end: BigInt('0x' + value) + BigInt('0x' + size), name }))
      .filter((s) => s.start <= offset)
    expect(below.length).toBeGreaterThan(0)
    for (const s of below) expect(s.end <= offset).toBe(true)
  })
})

describe('symbolize: Rust names', () => {
  /** c++filt's reading of mangled names, without what we leave out: crate hashes [5ebe…], legacy ::h<hash>. */
  function cxxfilt(names: string[]): string[] {
    return execFileSync('c++filt', [], { input: names.join('\n') + '\n', encoding: 'utf8' })
      .trimEnd()
      .split('\n')
      .map((n) => n.replace(/\[[0-9a-f]+\]/g, '').replace(/::h[0-9a-f]{16}$/, ''))
  }

  /** The library's functions whose names are Rust-mangled: name and address in the fixture. */
  function rustFunctions(file: string, base: bigint): { name: string; address: bigint }[] {
    return execFileSync('nm', ['--defined-only', file], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length === 3 && /^[tT]$/.test(f[1]!) && /^(_R|_ZN.*17h[0-9a-f]{16}E$)/.test(f[2]!))
      .map(([value, , name]) => ({ name: name!, address: base + BigInt('0x' + value) }))
  }

  it('demangles v0 (closures, trait impls, dyn, fn pointers, const generics) and legacy names as c++filt does, without hashes', async () => {
    const fixture = await start(program)
    await command<Loaded>(fixture, `load ${library}`)
    const functions = rustFunctions(library, mapsBase(fixture.info.pid, library))
    expect(functions.length).toBe(7)
    const ours = await symbolize(fixture.info.pid, functions.map((f) => f.address))
    expect(ours.map((s) => s.function)).toEqual(cxxfilt(functions.map((f) => f.name)))
    expect(ours.map((s) => s.function)).toContain('<*const T as core::fmt::Pointer>::fmt')
    expect(ours.map((s) => s.function)).toContain('std::panicking::default_hook::{closure#0}')
  })

  const RUSTC = ['rustc', path.join(os.homedir(), '.cargo', 'bin', 'rustc')].find((r) => {
    try {
      execFileSync(r, ['--version'], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  })
  if (!RUSTC) console.warn('skipping the Rust program test: no rustc')

  it.skipIf(!RUSTC)('names every function of a real Rust program (its own and std\'s) as c++filt does', async () => {
    const source = path.join(dir, 'waiter.rs')
    fs.writeFileSync(source, 'use std::io::Read;\nfn main() { println!("{{\\"pid\\":{}}}", std::process::id()); let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); }\n')
    const binary = path.join(dir, 'waiter')
    run(RUSTC!, ['-g', '-O', '-o', binary, source])
    const fixture = await startFixture<{ pid: number }>('waiter', [], { binary })
    running.push(fixture as unknown as RunningFixture<FixtureInfo>)
    const functions = rustFunctions(binary, mapsBase(fixture.info.pid, binary) - firstLoad(binary))
    expect(functions.length).toBeGreaterThan(100)
    // Identical code is folded: several names may share an address, and one of them names it.
    const names = new Map<bigint, string[]>()
    cxxfilt(functions.map((f) => f.name)).forEach((name, i) => names.set(functions[i]!.address, [...(names.get(functions[i]!.address) ?? []), name]))
    const addresses = [...names.keys()]
    const ours = await symbolize(fixture.info.pid, addresses)
    ours.forEach((s, i) => expect(names.get(addresses[i]!)).toContain(s.function))
  }, 60_000)
})

describe('symbolize: JIT code (perf map)', () => {
  it('names code in no image from /tmp/perf-PID.map, and reads the file again when it changes', async () => {
    const { info } = await start(program)
    const jit = BigInt(info.jit)
    const ours = await symbolize(info.pid, [jit + 0x10n, jit + 0x50n, jit + 0x200n])
    const perfModule = { module: path.basename(info.perfMap), modulePath: info.perfMap, source: 'perf-map', exact: true }
    expect(ours[0]).toMatchObject({ ...perfModule, function: 'snapfix_jit_add', offset: 0x10, moduleOffset: Number(jit + 0x10n) })
    expect(ours[1]).toMatchObject({ ...perfModule, function: 'LazyCompile:*snapfix jit.js:12', offset: 0x10 })
    expect(ours[2]).toMatchObject({ module: '', function: null, exact: false })

    // Appended as a JIT writes: a line is used once it is complete.
    fs.appendFileSync(info.perfMap, `${(jit + 0x200n).toString(16)} 20 snapfix_jit_lat`)
    expect((await symbolize(info.pid, [jit + 0x204n]))[0]).toMatchObject({ module: '', function: null })
    fs.appendFileSync(info.perfMap, 'er\n')
    const [later] = await symbolize(info.pid, [jit + 0x204n])
    expect(later).toMatchObject({ ...perfModule, function: 'snapfix_jit_later', offset: 4 })

    // Rewritten in place (same inode, longer): read anew, the old entries gone.
    const longer = `snapfix_jit_rewritten_${'x'.repeat(200)}`
    fs.writeFileSync(info.perfMap, `${(jit + 0x300n).toString(16)} 40 ${longer}\n`)
    const [gone, rewritten] = await symbolize(info.pid, [jit + 0x10n, jit + 0x304n])
    expect(gone).toMatchObject({ function: null })
    expect(rewritten).toMatchObject({ ...perfModule, function: longer })
  })

  it('survives a huge, hostile perf map: bad lines skipped, names cut, only its newest part read', async () => {
    const { info } = await start(program)
    const jit = BigInt(info.jit)
    const hex = (n: bigint) => n.toString(16)
    const out = fs.openSync(info.perfMap, 'w')
    try {
      // Oldest: an entry that a bounded reader never reaches, then junk of every kind.
      fs.writeSync(out, `${hex(jit + 0x300n)} 10 snapfix_too_old\n`)
      fs.writeSync(out, 'not hex at all\n\u0000\u0001\u00ff binary\nffffffffffffffffffff 10 overflow\n')
      fs.writeSync(out, `${hex(jit)} 0 zero_size\n${hex(jit)} 10\n${hex(0xfffffffffffffff0n)} 100 wraps\n`)
      // 70 MB of valid entries for other addresses: more bytes and lines than any bound lets in.
      const filler = Buffer.from(`${hex(0x10000n)} 10 filler_entry_name_padding\n`.repeat(64 * 1024))
      for (let written = 0; written < 70 * 1024 * 1024; written += filler.length) fs.writeSync(out, filler)
      fs.writeSync(out, `${hex(jit + 0x400n)} 10 ${'n'.repeat(1 << 20)}\n`)
      fs.writeSync(out, `${hex(jit + 0x500n)} 10 snapfix_newest\n`)
    } finally {
      fs.closeSync(out)
    }
    const before = process.memoryUsage().rss
    const [newest, longName, tooOld, zero] = await symbolize(info.pid, [jit + 0x504n, jit + 0x404n, jit + 0x304n, jit + 4n])
    expect(process.memoryUsage().rss - before).toBeLessThan(400 * 1024 * 1024)
    expect(newest).toMatchObject({ function: 'snapfix_newest', source: 'perf-map' })
    expect(longName!.function).toMatch(/^n+$/)
    expect(longName!.function!.length).toBeLessThanOrEqual(1024)
    expect(tooOld!.function).toBeNull()
    expect(zero!.function).toBeNull()
  }, 60_000)
})

describe('symbolize: a real python3', () => {
  let python: ReturnType<typeof spawn> | undefined
  afterEach(() => {
    python?.kill('SIGKILL')
    python = undefined
  })

  it('agrees with eu-addr2line on 2000 addresses spread over every module (4 calls at once): lines, files, inlined frames, names', async () => {
    // Debian's python3 with a few extension modules loaded; it waits on stdin.
    python = spawn('/usr/bin/python3', ['-c', 'import ctypes, json, zlib, sys; print("ready", flush=True); sys.stdin.read()'], { stdio: ['pipe', 'pipe', 'inherit'] })
    await new Promise<void>((resolve) => python!.stdout!.once('data', () => resolve()))
    const pid = python.pid!
    const code = fs
      .readFileSync(`/proc/${pid}/maps`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/))
      .filter((f) => f[1]![2] === 'x')
      .map((f) => f[0]!.split('-').map((x) => BigInt('0x' + x)) as [bigint, bigint])
    let seed = 12345
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const addresses = Array.from({ length: 2000 }, () => {
      const [start, end] = code[Math.floor(random() * code.length)]!
      return start + BigInt(Math.floor(random() * Number(end - start)))
    })
    // Four calls at once on the worker pool, the images still cold: each image is opened and asked
    // from several threads (one lock per image; libdwfl is not thread-safe).
    const [theirs, ...runs] = await Promise.all([addr2line(pid, addresses), ...[0, 1, 2, 3].map(() => symbolize(pid, addresses))])
    const ours = runs[0]!
    for (const other of runs.slice(1)) expect(other).toEqual(ours)
    const renamed: string[] = []
    for (let i = 0; i < addresses.length; i++) {
      const [mine, oracle] = [ours[i]!, theirs[i]!]
      expect({ file: mine.file, line: mine.line, inlined: mine.inlined }, `0x${addresses[i]!.toString(16)} in ${mine.module}`).toEqual({
        file: oracle.file,
        line: oracle.line,
        inlined: oracle.inlined
      })
      // Named where eu-addr2line names it, and nowhere else.
      expect(mine.function === null, `0x${addresses[i]!.toString(16)} in ${mine.module}`).toBe(oracle.function === null)
      if (mine.function !== oracle.function) renamed.push(`${mine.function} / ${oracle.function}`)
    }
    // Where the names differ, the symbol table names the code other than DWARF does (an alias: malloc /
    // __GI___libc_malloc; a clone: foo.constprop.0 / foo): eu-addr2line prefers DWARF's.
    expect(renamed.length).toBeLessThan(addresses.length / 10)
    // The vdso has no file: read from the process's memory, named by its .dynsym.
    const vdso = ours.filter((s) => s.module === '[vdso]' && s.function !== null)
    expect(vdso.length).toBeGreaterThan(0)
    for (const s of vdso) expect(s).toMatchObject({ modulePath: '', source: 'dynsym', exact: true })
  }, 60_000)
})

describe('symbolize: errors', () => {
  it('rejects with ESRCH for a process that does not exist', async () => {
    await expect(addon.symbolize(0x3fffffff, new BigUint64Array([1n]))).rejects.toMatchObject({ code: 'ESRCH', pid: 0x3fffffff })
  })

  it('rejects with ESRCH for a zombie: it has no memory left to name', async () => {
    const { pid: zombie, stop } = await startZombie()
    try {
      await expect(addon.symbolize(zombie, new BigUint64Array([1n]))).rejects.toMatchObject({ code: 'ESRCH', pid: zombie, scope: 'symbols' })
    } finally {
      stop()
    }
  })

  it('answers an empty batch, and reads a subarray from its own offset', async () => {
    const { info } = await start(program)
    const empty = await addon.symbolize(info.pid, new BigUint64Array(0))
    expect({ strings: empty.strings, function: [...empty.function], inlineStart: [...empty.inlineStart] }).toEqual({ strings: [''], function: [], inlineStart: [0] })
    const batch = await addon.symbolize(info.pid, new BigUint64Array([0n, BigInt(info.cFunction)]).subarray(1))
    expect(batch.function.length).toBe(1)
    expect(row(batch, 0).function).toBe('snapfix_c_function')
  })

  it('throws a TypeError for bad arguments', () => {
    const call = addon.symbolize as unknown as (...args: unknown[]) => unknown
    expect(() => call(-1, new BigUint64Array(1))).toThrow(TypeError)
    expect(() => call(process.pid, [1n])).toThrow(/BigUint64Array/)
    expect(() => call(process.pid, new BigInt64Array(1))).toThrow(TypeError)
  })
})
