// `snapscope allocs` end to end on the allocation fixture (native/test/fixtures/alloc_chains.c, built
// -O1 -g without frame pointers): attach, a round of known allocations once the probes are live,
// Ctrl-C, and the document: the leaked stack's count, bytes and chain in order, the temporary ones,
// nothing lost. Also a target that exits during the trace, pprof beside the JSON, and the errors.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { describe, expect, it } from 'vitest'
import type { AllocsDoc } from '../../src-common/contract/allocTypes'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'

const CLI = ['--import', 'tsx', join(__dirname, 'snapscope.ts'), 'allocs']
const BUILD = { flags: ['-O1', '-g'], variant: 'O1g' }
const LEAKS = 300
const TEMPS = 500
const deadPid = (): number => Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1
const names = (s: AllocsDoc['stacks'][number]) => s.frames.map((f) => f.function)

interface Fixture {
  pid: number
  leakSize: number
  tempSize: number
}

/** The next JSON line the fixture prints (after a round). */
function nextRound(f: RunningFixture<Fixture>): Promise<void> {
  return new Promise((ok) => {
    const on = (d: Buffer) => d.toString().includes('"round"') && (f.proc.stdout!.off('data', on), ok())
    f.proc.stdout!.on('data', on)
  })
}

/** Starts the command; resolves once it says the probes are live, with its output so far and its end. */
function traced(args: string[]): Promise<{ child: ChildProcess; attached: string; done: Promise<{ code: number | null; stdout: string; stderr: string }> }> {
  const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((ok) => child.once('exit', (code) => ok({ code, stdout, stderr })))
  return new Promise((ok, fail) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString()
      const line = /attached pid=\d+ mechanism=\S+/.exec(stderr)
      if (line) ok({ child, attached: line[0], done })
    })
    void done.then((r) => fail(new Error(`exited ${r.code} before attaching: ${r.stderr}`)))
  })
}

describe('snapscope allocs', () => {
  it('counts the leaked stack exactly, with its chain in order, the temporary ones, nothing lost; Ctrl-C writes what it has', async () => {
    const f = await startFixture<Fixture>('alloc_chains', ['--mode', 'chains', '--leaks', String(LEAKS), '--temps', String(TEMPS)], { build: BUILD })
    try {
      const dir = mkdtempSync(join(tmpdir(), 'snapscope-allocs-'))
      const out = join(dir, 'a.json')
      const { child, attached, done } = await traced(['--pid', String(f.info.pid), '--seconds', '60', '--out', out, '--pprof', join(dir, 'a.pb.gz')])
      expect(attached).toMatch(new RegExp(`^attached pid=${f.info.pid} mechanism=uprobes-`))
      const round = nextRound(f)
      f.proc.kill('SIGUSR1')
      await round
      await new Promise((ok) => setTimeout(ok, 500)) // the last batch reaches the command
      child.kill('SIGINT')
      const r = await done
      expect(r.code).toBe(0)
      expect(r.stdout).toBe('')
      const doc = JSON.parse(readFileSync(out, 'utf8')) as AllocsDoc
      expect(doc).toMatchObject({ format: 'snapscope.allocs/1', pid: f.info.pid, lost: 0, endReason: 'stopped' })
      // every block allocated during the trace was followed to its free or to the end
      expect(doc.untracked).toMatchObject({ blocks: 0 })
      const leak = doc.stacks.find((s) => names(s).includes('leak_c'))!
      expect(names(leak).slice(0, 3)).toEqual(['leak_c', 'leak_b', 'leak_a'])
      expect(leak).toMatchObject({ allocations: LEAKS, bytes: LEAKS * f.info.leakSize, leaked: { blocks: LEAKS, bytes: LEAKS * f.info.leakSize } })
      expect(leak.frames[0]).toMatchObject({ module: 'alloc_chains-O1g', file: expect.stringMatching(/alloc_chains\.c$/) })
      const temp = doc.stacks.find((s) => names(s).includes('temp_c'))!
      expect(names(temp).slice(0, 3)).toEqual(['temp_c', 'temp_b', 'temp_a'])
      expect(temp).toMatchObject({ allocations: TEMPS, bytes: TEMPS * f.info.tempSize, temporary: TEMPS, leaked: { blocks: 0, bytes: 0 } })
      // sorted by leaked bytes; the totals count every stack
      expect(doc.stacks[0]).toBe(leak)
      expect(doc.totals.leakedBytes).toBeGreaterThanOrEqual(LEAKS * f.info.leakSize)
      expect(doc.totals.temporary).toBeGreaterThanOrEqual(TEMPS)
      const profile = Profile.decode(gunzipSync(readFileSync(join(dir, 'a.pb.gz'))))
      expect(profile.sample).toHaveLength(doc.stacks.length)
      expect(profile.sample[0].value.map(Number)).toEqual([leak.allocations, leak.bytes, leak.temporary, leak.leaked.blocks, leak.leaked.bytes])
      // detached: the target runs on, with no probe left
      expect(f.proc.exitCode).toBeNull()
      expect(readdirSync(`/proc/${f.info.pid}/fd`).length).toBeGreaterThan(0)
    } finally {
      await f.stop()
    }
  }, 90_000)

  it('says so when the target exits during the trace, and keeps what it allocated, named where the names came in time', async () => {
    const f = await startFixture<Fixture>('alloc_chains', ['--mode', 'exit', '--leaks', '50'], { build: BUILD })
    try {
      const { done } = await traced(['--pid', String(f.info.pid), '--seconds', '60'])
      f.proc.kill('SIGUSR1')
      const r = await done
      expect(r.code).toBe(0)
      const doc = JSON.parse(r.stdout) as AllocsDoc
      expect(doc.endReason).toBe('target-exited')
      // the target exits right after its round, before its stacks' names can be read from it: its
      // frames keep the module and offset they had in the module map read while it ran
      const leak = doc.stacks.find((s) => s.allocations === 50 && s.bytes === 50 * f.info.leakSize)!
      expect(leak.leaked).toEqual({ blocks: 50, bytes: 50 * f.info.leakSize })
      expect(leak.frames.slice(0, 3).map((fr) => fr.module)).toEqual(['alloc_chains-O1g', 'alloc_chains-O1g', 'alloc_chains-O1g'])
      expect(leak.frames[0].moduleOffset).toBeGreaterThan(0)
    } finally {
      await f.stop()
    }
  }, 90_000)

  it('fails at once, before attaching, when --out cannot be written; and names a pid that does not exist', () => {
    const missing = spawnSync(process.execPath, [...CLI, '--pid', String(process.pid), '--seconds', '5', '--out', '/nonexistent-dir/a.json'], { encoding: 'utf8' })
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/nonexistent-dir/)
    expect(missing.stderr).not.toMatch(/attached/)
    const pid = deadPid()
    const gone = spawnSync(process.execPath, [...CLI, '--pid', String(pid), '--seconds', '1'], { encoding: 'utf8' })
    expect(gone.status).toBe(1)
    expect(gone.stderr).toMatch(/ESRCH/)
    expect(gone.stderr).toContain(String(pid))
    expect(gone.stderr.trim().split('\n')).toHaveLength(1)
  })

  it.skipIf(process.getuid?.() !== 0)('refuses another user without privileges, saying what would allow it', async () => {
    const f = await startFixture<Fixture>('alloc_chains', ['--mode', 'chains'], { build: BUILD })
    try {
      const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, ...CLI, '--pid', String(f.info.pid), '--seconds', '1'], { encoding: 'utf8' })
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(/^snapscope allocs: .*EACCES/)
      expect(r.stderr).toMatch(/as root|CAP_SYS_ADMIN/)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    } finally {
      await f.stop()
    }
  })

  it('exits 2 on bad usage', () => {
    for (const args of [['--seconds', '5'], ['--pid', '1'], ['--pid', '1', '--seconds', '0'], ['--pid', 'x', '--seconds', '1'], ['--pid', '1', '--seconds', '1', '--bogus']]) {
      const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' })
      expect([args, r.status]).toEqual([args, 2])
      expect(r.stderr).toMatch(/^snapscope allocs: /)
    }
  })
})
