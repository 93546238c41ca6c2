// --out of every verb, attacked and misused for real: another user (nobody, through setpriv) plants
// links in a shared folder while root writes there; devices and FIFOs as outputs; paths that can't be
// written fail before the work; names from the machine reach the terminal escaped.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon } from '../../native/index'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'
import { takeSnapshot } from '../core/snapshot'
import type { Snapshot } from '../../src-common/contract/types'

const CLI = ['--import', 'tsx', join(__dirname, 'snapscope.ts')]
const SLOW = 120_000
const SAMPLE = join(__dirname, '../../resources/samples/leak-before.snapscope')
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((f) => existsSync(f))
const IS_ROOT = process.getuid?.() === 0
const AS_NOBODY = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all']

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/**
 * The command run in the background: its pid at once, its end (with how long it took) later. With
 * `held`, a shell holds its pid until go() and then execs it (the pid stays the command's).
 */
function cliAsync(args: string[], held = false) {
  const t0 = Date.now()
  const command = [process.execPath, ...CLI, ...args]
  const child = held ? spawn('sh', ['-c', 'read go && exec "$@"', 'sh', ...command]) : spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const done = new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((ok) =>
    child.on('close', (code) => ok({ code, stdout: out, stderr: err, ms: Date.now() - t0 }))
  )
  return { pid: child.pid!, done, go: () => child.stdin?.end('go\n') }
}

const made: string[] = []
/** A temporary folder of this file's, removed at the end (a spray leaves 30,000 links in one). */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** A one-line message of exit 1, naming what it should, and never a stack trace. */
function expectOneLineFailure(r: { code: number | null; stderr: string }, ...parts: string[]): void {
  expect(r.code, r.stderr).toBe(1)
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1)
  expect(r.stderr).not.toMatch(/^\s+at /m)
  for (const part of parts) expect(r.stderr).toContain(part)
}

/** A folder like /tmp: anyone may create files in it; the sticky bit keeps them from others' files. */
function sharedFolder(): string {
  const dir = tempDir('snapscope-shared-')
  chmodSync(dir, 0o1777)
  return dir
}

/** A file only root may read or write: what the attacker wants overwritten. */
function rootOnlyFile(): { path: string; content: string } {
  const dir = tempDir('snapscope-vault-')
  const path = join(dir, 'secret')
  const content = 'root only, do not overwrite\n'
  writeFileSync(path, content, { mode: 0o600 })
  return { path, content }
}

function expectUntouched(victim: { path: string; content: string }): void {
  const st = lstatSync(victim.path)
  expect(st.isFile()).toBe(true)
  expect(st.mode & 0o777).toBe(0o600)
  expect(readFileSync(victim.path, 'utf8')).toBe(victim.content)
}

describe.skipIf(!IS_ROOT || !SETPRIV)('--out in a folder another user can write to (run as root, attacked by nobody)', () => {
  // The attacker: told the pid of root's command, plants a link to the victim at every temporary
  // name the command could pick in the next 30 s (the old `.<ms>.<pid>.tmp`). The command starts
  // once they are in place (a busy machine could slow the spray down more than the command).
  const SPRAY = String.raw`
    const fs = require('node:fs')
    const [dir, victim] = process.argv.slice(1)
    process.stdin.once('data', (d) => {
      const pid = Number(String(d).trim())
      const from = Date.now()
      let planted = 0
      for (let ms = from; ms < from + 30000; ms++) {
        try { fs.symlinkSync(victim, dir + '/.' + ms + '.' + pid + '.tmp'); planted++ } catch {}
      }
      console.log(JSON.stringify({ pid, planted }))
    })
    console.log('ready')`

  it('a spray of links at guessable temporary names does not make root overwrite a root-only file', async () => {
    const dir = sharedFolder()
    const victim = rootOnlyFile()
    const target = spawn('sleep', ['60'])
    const attacker = spawn(SETPRIV!, [...AS_NOBODY, process.execPath, '-e', SPRAY, dir, victim.path], { stdio: ['pipe', 'pipe', 'inherit'] })
    const lines = createInterface({ input: attacker.stdout })[Symbol.asyncIterator]()
    expect((await lines.next()).value).toBe('ready')
    const out = join(dir, 'watch.json')
    const run = cliAsync(['watch', '--pid', String(target.pid), '--seconds', '1', '--out', out], true)
    attacker.stdin.end(`${run.pid}\n`)
    try {
      const sprayed = JSON.parse((await lines.next()).value as string) as { pid: number; planted: number }
      run.go()
      const r = await run.done
      expect(sprayed).toEqual({ pid: run.pid, planted: 30000 })
      expect(r.code, r.stderr).toBe(0)
      expectUntouched(victim)
      expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ format: 'snapscope.wswatch/1', pid: target.pid })
      expect(statSync(out).mode & 0o777).toBe(0o666 & ~process.umask())
      // everything else in the folder is the attacker's links: root left no temporary file behind
      expect(readdirSync(dir).filter((n) => n !== 'watch.json' && !lstatSync(join(dir, n)).isSymbolicLink())).toEqual([])
    } finally {
      target.kill()
    }
  }, SLOW)

  it("another user's link at the output path is refused, not followed; root's own link is followed", () => {
    const dir = sharedFolder()
    const victim = rootOnlyFile()
    const planted = join(dir, 'snap.json')
    expect(spawnSync(SETPRIV!, [...AS_NOBODY, 'ln', '-s', victim.path, planted]).status).toBe(0)
    const r = cli('snapshot', '--include', 'process', '--out', planted)
    expectOneLineFailure(r, `cannot write ${planted}`, 'symbolic link of another user (uid 65534)', 'ELOOP')
    expectUntouched(victim)
    expect(lstatSync(planted).isSymbolicLink()).toBe(true)

    const mine = rootOnlyFile()
    symlinkSync(mine.path, join(dir, 'mine.json'))
    expect(cli('snapshot', '--include', 'process', '--out', join(dir, 'mine.json')).code).toBe(0)
    expect(lstatSync(join(dir, 'mine.json')).isSymbolicLink()).toBe(true)
    expect((JSON.parse(readFileSync(mine.path, 'utf8')) as Snapshot).format).toBe('snapscope.snapshot/1')
    expect(statSync(mine.path).mode & 0o777).toBe(0o600)
  }, SLOW)

  it("another user's FIFO at the output path is refused (it would take root's document, or hang it)", () => {
    const dir = sharedFolder()
    const fifo = join(dir, 'heap.json')
    expect(spawnSync(SETPRIV!, [...AS_NOBODY, 'mkfifo', fifo]).status).toBe(0)
    expectOneLineFailure(cli('snapshot', '--include', 'process', '--out', fifo), `cannot write ${fifo}`, 'FIFO of another user (uid 65534)', 'EPERM')
    expect(lstatSync(fifo).isFIFO()).toBe(true)
  }, SLOW)
})

describe('--out a device, a FIFO or a link to an open file', () => {
  let fixture: RunningFixture<{ pid: number }>
  beforeAll(async () => {
    fixture = await startFixture<{ pid: number }>('heap_fixture')
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  it.skipIf(!IS_ROOT)('heap --out a character device (/dev/null made with mknod) leaves it a device', () => {
    const dev = join(tempDir('snapscope-dev-'), 'null')
    expect(spawnSync('mknod', [dev, 'c', '1', '3']).status).toBe(0)
    const r = cli('heap', '--pid', String(fixture.info.pid), '--out', dev)
    expect(r.code, r.stderr).toBe(0)
    const st = lstatSync(dev)
    expect(st.isCharacterDevice()).toBe(true)
    expect(st.rdev).toBe(statSync('/dev/null').rdev)
  }, SLOW)

  it('heap --out a FIFO: the reader gets the document, the FIFO stays a FIFO', async () => {
    const dir = tempDir('snapscope-fifo-')
    const fifo = join(dir, 'fifo')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    const got = join(dir, 'got.json')
    const reader = spawn('cat', [fifo], { stdio: ['ignore', openSync(got, 'w'), 'inherit'] })
    try {
      const read = new Promise<number | null>((ok) => reader.on('exit', ok))
      const r = await cliAsync(['heap', '--pid', String(fixture.info.pid), '--out', fifo]).done
      expect(r.code, r.stderr).toBe(0)
      expect(lstatSync(fifo).isFIFO()).toBe(true)
      expect(await read).toBe(0)
      expect(JSON.parse(readFileSync(got, 'utf8'))).toMatchObject({ format: 'snapscope.heapwalks/1', pid: fixture.info.pid })
    } finally {
      reader.kill()
    }
  }, SLOW)

  it('--out a link to /proc/self/fd/1 (as /dev/stdout is) writes into the pipe and keeps the link', async () => {
    const link = join(tempDir('snapscope-stdout-'), 'stdout')
    symlinkSync('/proc/self/fd/1', link)
    const r = await cliAsync(['snapshot', '--include', 'process', '--out', link]).done
    expect(r.code, r.stderr).toBe(0)
    expect((JSON.parse(r.stdout) as Snapshot).format).toBe('snapscope.snapshot/1')
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
  }, SLOW)
})

describe('--out that cannot be written fails before the work, in one line', () => {
  it('every verb with --out names the path, the missing folder and ENOENT, with no stack trace; watch and capture at once', async () => {
    const target = spawn('sleep', ['120'])
    try {
      const pid = String(target.pid)
      // A folder that is missing under one of our own: the old `report --format csv` made it with mkdir -p.
      const missing = join(tempDir('snapscope-missing-'), 'nonexistent')
      const bad = (name: string) => join(missing, 'dir', name)
      // One after the other, so each one's time is its own. watch and capture --for 30s would work 30 s
      // before writing: failing first takes a node start (slow on a busy machine), not the work.
      for (const args of [
        ['snapshot', '--out', bad('snap.json')],
        ['heap', '--pid', pid, '--out', bad('heap.json')],
        ['map', '--pid', pid, '--out', bad('map.json')],
        ['watch', '--pid', pid, '--seconds', '30', '--out', bad('watch.json')],
        ['capture', '--pid', pid, '--out', bad('now.snapscope')],
        ['capture', '--pid', pid, '--every', '1s', '--for', '30s', '--out', bad('run.snapscope')],
        ['report', SAMPLE, '--format', 'html', '--out', bad('r.html')],
        ['report', SAMPLE, '--format', 'csv', '--out', bad('csv')],
        ['diff', SAMPLE, SAMPLE, '--json', '--out', bad('d.json')],
        ['diff', SAMPLE, SAMPLE, '--out', bad('d.txt')]
      ]) {
        const r = await cliAsync(args).done
        expectOneLineFailure(r, `cannot write ${args.at(-1)}: the folder ${missing} does not exist`, '(ENOENT)')
        // the message says what to do itself: no registry advice after it
        expect(r.stderr).not.toContain(' — ')
        expect(r.stderr).not.toMatch(/attached|capturing/)
        expect(r.ms, args.join(' ')).toBeLessThan(25_000)
      }
    } finally {
      target.kill()
    }
  }, SLOW)

  it('a folder as --out is refused with EISDIR and stays a folder', () => {
    const dir = tempDir('snapscope-isdir-')
    expectOneLineFailure(cli('snapshot', '--include', 'process', '--out', dir), `cannot write ${dir}`, 'is a folder', '(EISDIR)')
    expect(statSync(dir).isDirectory()).toBe(true)
  }, SLOW)
})

describe('names from the machine on the terminal', () => {
  // comm is at most 15 bytes: OSC "set the title", BEL, a right-to-left override and C1 CSI
  const NAME = '\x1b]0;pwn\x07\u202e\u009b'
  const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/

  it("diff's text shows a process named with escape sequences escaped; JSON keeps it exact and C0-free", async () => {
    const dir = tempDir('snapscope-names-')
    const exe = join(dir, NAME)
    copyFileSync('/bin/sleep', exe)
    chmodSync(exe, 0o755)
    const proc = spawn(exe, ['120'])
    try {
      await new Promise((ok) => proc.once('spawn', ok))
      const addon = loadAddon()
      const snap = async (name: string) => {
        const s = await takeSnapshot(addon, { pid: proc.pid!, include: ['process'] })
        expect(s.processes.find((p) => p.pid === proc.pid)?.exeFile).toBe(NAME)
        writeFileSync(join(dir, name), JSON.stringify(s))
      }
      await snap('a.json')
      await snap('b.json')
      const text = cli('diff', join(dir, 'a.json'), join(dir, 'b.json'))
      expect(text.code, text.stderr).toBe(0)
      expect(text.stdout).not.toMatch(RAW)
      expect(text.stdout).toContain(`Process ${proc.pid} (\\x1b]0;pwn\\x07\\u202e\\x9b)`)

      const json = cli('snapshot', '--pid', String(proc.pid), '--include', 'process')
      expect(json.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f]/)
      expect((JSON.parse(json.stdout) as Snapshot).processes.find((p) => p.pid === proc.pid)?.exeFile).toBe(NAME)
    } finally {
      proc.kill()
    }
  }, SLOW)

  it('error messages escape the paths and verbs they repeat', () => {
    const dir = tempDir('snapscope-names-')
    const r = cli('snapshot', '--out', `${dir}/\x1b[2J\x1b]0;pwn\x07/x`)
    expectOneLineFailure(r, `cannot write ${dir}/\\x1b[2J\\x1b]0;pwn\\x07/x`)
    expect(r.stderr).not.toMatch(RAW)
    const verb = cli('\x1b[2Jsnap')
    expect(verb.code).toBe(2)
    expect(verb.stderr).toContain('unknown verb "\\x1b[2Jsnap"')
    expect(verb.stderr).not.toMatch(RAW)
  }, SLOW)
})
