// Privileges: the inspector run as an unprivileged user (nobody, through setpriv from util-linux, no
// capabilities). Its own processes it inspects fully: every snapshot field, modules, heap list, heap
// walks (stopped too), memory regions, watches (perf_event_paranoid permitting: the user-only
// fallback). Other users' processes (root's) as far as the OS allows: the snapshot still lists them
// with what procfs shows everyone, and says per process what it could not read and why (EACCES);
// modules, heap lists and walks, regions and watches fail with EACCES / EPERM and a message that says
// why and what to do about it.
//
// The repository may not be readable by nobody (it may live under a private directory), so the addon
// and the fixture binaries are copied to a world-readable temporary directory first; the CLI part runs
// only where nobody can read the repository (it needs node_modules), and says so when it can't.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addonPath, findRepoRoot } from '../index'
import { buildFixture, startFixture, type RunningFixture } from './fixtures'

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((f) => fs.existsSync(f))
const IS_ROOT = process.getuid?.() === 0
const CAN_RUN = IS_ROOT && SETPRIV !== undefined
const WHY_NOT = !IS_ROOT ? 'it must run as root (to become nobody)' : 'setpriv (util-linux) is missing'
if (!CAN_RUN) console.warn(`skipping the privilege tests: ${WHY_NOT}`)
const NOBODY = 65534
const PARANOID = Number(fs.readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8'))

/** Runs `command` as nobody (no groups, no capabilities); resolves with its exit code and output. */
function asNobody(command: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000) {
  const r = spawnSync(SETPRIV!, ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all', ...command], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, HOME: '/tmp', ...env },
    maxBuffer: 64 * 1024 * 1024
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal }
}

// The probe, run as nobody: starts its own fixtures, inspects them and the root-owned target it is
// given, and prints one JSON object with everything it saw (errors as {code, pid, scope, message}).
const PROBE = String.raw`
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const addon = require(process.env.SNAPSCOPE_ADDON)
const dir = process.argv[2]
const rootPid = Number(process.argv[3])
const out = { uid: process.getuid() }
const error = (e) => ({ code: e.code, pid: e.pid, scope: e.scope, message: e.message, type: e.constructor.name })
async function attempt(name, fn) {
  try { out[name] = { ok: await fn() } } catch (e) { out[name] = { error: error(e) } }
}
function start(binary, args) {
  // Never the sanitizer runtimes a sanitizer run preloads into this node: the fixtures' heaps are glibc's.
  const env = { ...process.env }
  delete env.LD_PRELOAD
  const proc = spawn(path.join(dir, binary), args, { stdio: ['pipe', 'pipe', 'inherit'], env })
  return new Promise((resolve, reject) => {
    let text = ''
    proc.stdout.on('data', (d) => {
      text += d
      const nl = text.indexOf('\n')
      if (nl >= 0) { proc.stdout.removeAllListeners('data'); proc.stdout.resume(); resolve({ proc, info: JSON.parse(text.slice(0, nl)), rest: text.slice(nl + 1) }) }
    })
    proc.once('exit', (code) => reject(new Error(binary + ' exited ' + code)))
  })
}
function watchFor(pid, mechanism, ms, poke) {
  return new Promise((resolve, reject) => {
    let faults = 0, lost = 0
    let handle
    try {
      handle = addon.startWatch({ pid, mechanism }, (b) => { faults += b.pc.length; lost += b.lost }, (end) => resolve({ mechanism: handle.mechanism, faults, lost, end: end.reason }))
    } catch (e) { reject(e); return }
    if (poke) poke()
    setTimeout(() => handle.stop(), ms)
  })
}
;(async () => {
  // ---- own processes ----
  const heap = await start('heap_fixture', [])
  const own = heap.info.pid
  await attempt('ownSnapshot', async () => {
    const s = await addon.snapshot({ processes: true, threads: true, modules: true, heapLists: true, pid: own })
    return { process: s.processes.find((p) => p.pid === own), threads: s.threads.filter((t) => t.ownerPid === own).length,
             errors: s.errors.filter((e) => e.pid === own), modules: s.modules.map((m) => m.moduleName), heapLists: s.heapLists }
  })
  await attempt('ownRegions', async () => (await addon.memoryRegions(own)).length)
  for (const stopTarget of [false, true]) {
    await attempt(stopTarget ? 'ownWalkStopped' : 'ownWalk', async () => {
      const r = await addon.heapWalk({ pid: own, heapId: null, offset: 0, limit: Infinity, stopTarget }).result
      const addresses = new Set()
      for (const h of r.heaps) for (const a of h.addresses) addresses.add(a)
      return { stopped: r.stopped, errors: r.errors, heaps: r.heaps.map((h) => h.kind),
               liveFound: heap.info.live.filter((b) => addresses.has(Number(b.ptr))).length, live: heap.info.live.length }
    })
  }
  const toucher = await start('watch_toucher', ['--pages', '128', '--split', '128'])
  await attempt('ownWatch', () => watchFor(toucher.info.pid, 'auto', 400, () => toucher.proc.kill('SIGUSR1')))
  await attempt('ownWatchPagemap', () => watchFor(heap.info.pid, 'pagemap-diff', 200))
  await attempt('ownSymbols', async () => {
    // malloc in the fixture's libc: its base from maps, its offset from nm (map_files is root's only:
    // the image is read through /proc/PID/root).
    const line = fs.readFileSync('/proc/' + own + '/maps', 'utf8').split('\n').find((l) => /\/libc\.so\.6$/.test(l) && l.split(/\s+/)[2] === '00000000')
    const libc = line.split(/\s+/)[5]
    const nm = require('node:child_process').execFileSync('nm', ['-D', '--defined-only', libc], { encoding: 'utf8' })
    const offset = BigInt('0x' + nm.split('\n').find((l) => / malloc(@@.*)?$/.test(l)).split(' ')[0])
    const b = await addon.symbolize(own, new BigUint64Array([BigInt('0x' + line.split('-')[0]) + offset]))
    return { module: b.strings[b.module[0]], function: b.strings[b.function[0]], file: b.strings[b.file[0]], exact: b.exact[0] }
  })
  // ---- root's process ----
  await attempt('rootSnapshot', async () => {
    const s = await addon.snapshot({ processes: true, threads: true, pid: null })
    return { process: s.processes.find((p) => p.pid === rootPid), threads: s.threads.filter((t) => t.ownerPid === rootPid).length,
             errors: s.errors.filter((e) => e.pid === rootPid), listed: s.processes.length }
  })
  await attempt('rootLists', async () => {
    const s = await addon.snapshot({ processes: false, threads: false, modules: true, heapLists: true, pid: rootPid })
    return { modules: s.modules.length, heapLists: s.heapLists.length, errors: s.errors }
  })
  await attempt('rootRegions', () => addon.memoryRegions(rootPid))
  await attempt('rootWalk', () => addon.heapWalk({ pid: rootPid, heapId: null, offset: 0, limit: 0, stopTarget: false }).result)
  await attempt('rootWalkStopped', () => addon.heapWalk({ pid: rootPid, heapId: null, offset: 0, limit: 0, stopTarget: true }).result)
  await attempt('rootWatch', () => watchFor(rootPid, 'auto', 100))
  await attempt('rootSymbols', () => addon.symbolize(rootPid, new BigUint64Array([1n])))
  for (const f of [heap, toucher]) f.proc.stdin.end()
  console.log(JSON.stringify(out))
})().catch((e) => { console.log(JSON.stringify({ probeFailed: String(e && e.stack || e) })); process.exit(1) })
`

interface Err {
  code: string
  pid: number
  scope: string
  message: string
  type: string
}
/** What the probe saw for one attempt: its value, or the error it threw (the tests check which). */
type Outcome = { ok?: any; error?: Err } // eslint-disable-line @typescript-eslint/no-explicit-any

describe.skipIf(!CAN_RUN)('as an unprivileged user (nobody)', () => {
  let dir: string
  let root: RunningFixture<{ pid: number }>
  let probe: Record<string, Outcome> & { uid?: number }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-privileges-'))
    fs.chmodSync(dir, 0o755)
    fs.copyFileSync(addonPath(), path.join(dir, 'snapscope.node'))
    for (const name of ['heap_fixture', 'watch_toucher']) fs.copyFileSync(buildFixture(name), path.join(dir, name))
    fs.writeFileSync(path.join(dir, 'probe.cjs'), PROBE)
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o755)
    root = await startFixture<{ pid: number }>('heap_fixture') // root's: not nobody's to read
    const r = asNobody([process.execPath, path.join(dir, 'probe.cjs'), dir, String(root.info.pid)], { SNAPSCOPE_ADDON: path.join(dir, 'snapscope.node') })
    if (r.code !== 0) throw new Error(`the probe failed (${r.code ?? r.signal}): ${r.stdout}\n${r.stderr}`)
    probe = JSON.parse(r.stdout.trim().split('\n').pop()!)
  }, 90_000)
  afterAll(async () => {
    await root?.stop()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('runs as nobody', () => {
    expect(probe.uid).toBe(NOBODY)
  })

  describe('its own processes: everything', () => {
    it('snapshot: every field, its threads, modules and heap list, no errors', () => {
      const s = probe.ownSnapshot.ok
      expect(probe.ownSnapshot.error).toBeUndefined()
      expect(s.errors).toEqual([])
      expect(s.process).toMatchObject({ exeFile: 'heap_fixture', name: 'heap_fixture', user: 'nobody', uid: NOBODY, threadCount: 3 })
      expect(s.process.exePath).toMatch(/\/heap_fixture$/)
      expect(s.process.cmdline[0]).toMatch(/\/heap_fixture$/)
      expect(s.process.workingSetBytes).toBeGreaterThan(0)
      expect(s.process.startTimeMs).toBeGreaterThan(0)
      expect(s.threads).toBe(3)
      expect(s.modules).toEqual(expect.arrayContaining(['heap_fixture', 'libc.so.6']))
      expect(s.heapLists.some((h: { kind: string; walkable: boolean }) => h.kind === 'main-arena' && h.walkable)).toBe(true)
    })

    it('symbols: its libc read through /proc/PID/root (map_files is only root\'s), malloc named with its line', () => {
      expect(probe.ownSymbols.error).toBeUndefined()
      expect(probe.ownSymbols.ok).toMatchObject({ module: 'libc.so.6', function: 'malloc', exact: 1 })
      expect(probe.ownSymbols.ok.file).toMatch(/malloc\.c$/)
    })

    it('memory regions', () => {
      expect(probe.ownRegions.error).toBeUndefined()
      expect(probe.ownRegions.ok).toBeGreaterThan(5)
    })

    it('heap walks, running and stopped, find every live block', () => {
      for (const name of ['ownWalk', 'ownWalkStopped']) {
        expect(probe[name].error, name).toBeUndefined()
        const w = probe[name].ok
        expect(w.errors, name).toEqual([])
        expect(w.liveFound, name).toBe(w.live)
        expect(w.heaps, name).toContain('main-arena')
      }
      expect(probe.ownWalk.ok.stopped).toBe(false)
      expect(probe.ownWalkStopped.ok.stopped).toBe(true)
    })

    it('watches: perf events as allowed (user-only at perf_event_paranoid 2), pagemap diffs always', () => {
      expect(probe.ownWatch.error).toBeUndefined()
      const w = probe.ownWatch.ok
      if (PARANOID >= 3) expect(w.mechanism).toBe('pagemap-diff')
      else expect(w.mechanism).toBe(PARANOID === 2 ? 'perf-page-faults-user' : 'perf-page-faults')
      expect(w.faults).toBeGreaterThanOrEqual(128) // the 128 pages the toucher wrote
      expect(w.end).toBe('stopped')
      expect(probe.ownWatchPagemap.error).toBeUndefined()
      expect(probe.ownWatchPagemap.ok).toMatchObject({ mechanism: 'pagemap-diff', end: 'stopped' })
    })
  })

  describe("root's processes: as far as the OS allows, and errors that say why", () => {
    it('snapshot: listed with what procfs shows everyone; exePath is an EACCES entry naming the file', () => {
      expect(probe.rootSnapshot.error).toBeUndefined()
      const s = probe.rootSnapshot.ok
      const pid = root.info.pid
      expect(s.process).toMatchObject({ pid, parentPid: process.pid, name: 'heap_fixture', exeFile: 'heap_fixture', user: 'root', uid: 0, threadCount: 3, exePath: '' })
      expect(s.process.cmdline[0]).toMatch(/\/heap_fixture$/) // cmdline is world-readable
      expect(s.process.workingSetBytes).toBeGreaterThan(0)
      expect(s.threads).toBe(3)
      expect(s.errors).toEqual([expect.objectContaining({ pid, scope: 'exePath', code: 'EACCES' })])
      expect(s.errors[0].message).toContain(`/proc/${pid}/exe`)
      expect(s.errors[0].message).toMatch(/Permission denied/)
      expect(s.listed).toBeGreaterThan(3)
    })

    const advice = /another user|root|CAP_SYS_PTRACE/

    it('module and heap lists: EACCES entries that say why and what to do; the snapshot itself succeeds', () => {
      expect(probe.rootLists.error).toBeUndefined()
      const l = probe.rootLists.ok
      const pid = root.info.pid
      expect(l.modules).toBe(0)
      expect(l.heapLists).toBe(0)
      expect(l.errors.map((e: Err) => `${e.scope}:${e.code}`).sort()).toEqual(['heaplist:EACCES', 'modules:EACCES'])
      for (const e of l.errors as Err[]) {
        expect(e.pid).toBe(pid)
        expect(e.message).toContain(`/proc/${pid}/maps`)
        expect(e.message).toMatch(advice)
      }
    })

    it('memory regions, heap walks and symbols reject with EACCES / EPERM, saying why and what to do', () => {
      const pid = root.info.pid
      expect(probe.rootRegions.error).toMatchObject({ code: 'EACCES', pid, scope: 'regions' })
      expect(probe.rootWalk.error).toMatchObject({ code: 'EACCES', pid, scope: 'heap' })
      expect(probe.rootWalkStopped.error).toMatchObject({ code: 'EPERM', pid, scope: 'heap' })
      expect(probe.rootSymbols.error).toMatchObject({ code: 'EACCES', pid, scope: 'symbols' })
      for (const name of ['rootRegions', 'rootWalk', 'rootWalkStopped', 'rootSymbols']) expect(probe[name].error!.message, name).toMatch(advice)
      expect(probe.rootWalkStopped.error!.message).toMatch(/PTRACE_SEIZE/)
    })

    it('watch: EACCES, naming every mechanism tried and what would allow it', () => {
      const pid = root.info.pid
      expect(probe.rootWatch.error).toMatchObject({ code: 'EACCES', pid, scope: 'watch' })
      expect(probe.rootWatch.error!.message).toMatch(/perf-page-faults.*pagemap-diff/)
      expect(probe.rootWatch.error!.message).toMatch(/perf_event_paranoid/)
    })

    it('leaves the root process running and untraced', () => {
      for (const tid of fs.readdirSync(`/proc/${root.info.pid}/task`)) {
        const status = fs.readFileSync(`/proc/${root.info.pid}/task/${tid}/status`, 'utf8')
        expect(status).toMatch(/TracerPid:\s+0\n/)
        expect(status).not.toMatch(/State:\s+[tT]/)
      }
    })
  })

  describe('the snapscope command as nobody', () => {
    const repo = findRepoRoot()
    // nobody needs to read the sources and node_modules (tsx) to run the command from them.
    const readable = CAN_RUN && asNobody(['test', '-r', path.join(repo, 'node_modules', 'tsx', 'package.json')]).code === 0
    if (CAN_RUN && !readable) console.warn(`skipping the CLI-as-nobody tests: nobody cannot read ${repo}`)
    const cli = (...args: string[]) =>
      asNobody([process.execPath, '--import', 'tsx', path.join(repo, 'src-main', 'cli', 'snapscope.ts'), ...args], {
        SNAPSCOPE_ADDON: path.join(dir, 'snapscope.node')
      })

    it.skipIf(!readable)("exits 1 with the pid, EACCES and advice for root's heap and watch; the snapshot lists what it can", () => {
      const pid = String(root.info.pid)
      const heap = cli('heap', '--pid', pid, '--limit', '0')
      expect(heap.code).toBe(1)
      expect(heap.stderr).toMatch(new RegExp(`${pid}.*EACCES`, 's'))
      expect(heap.stderr).toMatch(/another user|root|CAP_SYS_PTRACE/)
      const watch = cli('watch', '--pid', pid, '--seconds', '1')
      expect(watch.code).toBe(1)
      expect(watch.stderr).toMatch(/EACCES/)
      expect(watch.stderr).toMatch(/perf_event_paranoid/)
      const snap = cli('snapshot', '--pid', pid, '--include', 'process,module')
      expect(snap.code).toBe(0)
      const doc = JSON.parse(snap.stdout) as { processes: { pid: number }[]; errors: { pid: number; scope: string; code: string }[] }
      expect(doc.processes.some((p) => p.pid === root.info.pid)).toBe(true)
      expect(doc.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pid: root.info.pid, scope: 'modules', code: 'EACCES' })]))
    })

    it.skipIf(!readable)('walks a heap of its own, stopped, with exit 0', async () => {
      // A process of nobody's own (the CLI starts none): the fixture, started through setpriv too.
      const proc = spawn(SETPRIV!, ['--reuid=nobody', '--regid=nogroup', '--clear-groups', path.join(dir, 'heap_fixture')], { stdio: ['pipe', 'pipe', 'inherit'] })
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let text = ''
          proc.stdout!.on('data', (d: Buffer) => {
            text += d.toString()
            if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')))
          })
          proc.once('exit', (code) => reject(new Error(`heap_fixture as nobody exited ${code}`)))
        })
        proc.stdout!.resume()
        const { pid, live } = JSON.parse(line) as { pid: number; live: unknown[] }
        const heap = cli('heap', '--pid', String(pid), '--stop')
        expect(heap.stderr).toBe('')
        expect(heap.code).toBe(0)
        const doc = JSON.parse(heap.stdout) as { format: string; stopped: boolean; heaps: { blocks: unknown[] }[] }
        expect(doc.format).toBe('snapscope.heapwalks/1')
        expect(doc.stopped).toBe(true)
        expect(doc.heaps.reduce((n, h) => n + h.blocks.length, 0)).toBeGreaterThanOrEqual(live.length)
      } finally {
        proc.stdin!.end()
        proc.kill('SIGKILL')
      }
    })
  })
})
