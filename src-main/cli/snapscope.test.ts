import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFixture } from '../../native/test/fixtures'
import type { Snapshot } from '../ipc/types'

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'snapscope.ts'), ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** A pid that is free right now: above the current pid_max is never valid. */
const deadPid = (): number => Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1

describe('snapscope snapshot', () => {
  it('prints the snapshot JSON of the contract with a fixture tree in it', async () => {
    const fixture = await startFixture<{ root: number; processes: { pid: number; parentPid: number }[] }>('proc_tree', [
      '--children', '1', '--threads', '3', '--depth', '1'
    ])
    try {
      const r = cli('snapshot', '--include', 'process,thread')
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const snap = JSON.parse(r.stdout) as Snapshot
      expect(snap.format).toBe('snapscope.snapshot/1')
      expect(snap.include).toEqual(['process', 'thread'])
      expect(snap.targetPid).toBeNull()
      expect(snap.host.os).toBe('linux')
      const root = snap.processes.find((p) => p.pid === fixture.info.root)!
      expect(root.exeFile).toBe('proc_tree')
      expect(root.threadCount).toBe(3)
      expect(snap.threads.filter((t) => t.ownerPid === root.pid)).toHaveLength(3)
      const child = fixture.info.processes.find((p) => p.pid !== root.pid)!
      expect(snap.processes.find((p) => p.pid === child.pid)?.parentPid).toBe(root.pid)
    } finally {
      await fixture.stop()
    }
  })

  it('writes --out FILE and only processes when asked', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'snapscope-cli-')), 'snap.json')
    const r = cli('snapshot', '--include', 'process', '--pid', String(process.pid), '--out', out)
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    const snap = JSON.parse(readFileSync(out, 'utf8')) as Snapshot
    expect(snap.targetPid).toBe(process.pid)
    expect(snap.processes.length).toBeGreaterThan(0)
    expect(snap.threads).toEqual([])
  })

  it('exits 1 naming the pid and ESRCH for a process that does not exist', () => {
    const pid = deadPid()
    const r = cli('snapshot', '--pid', String(pid))
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(String(pid))
    expect(r.stderr).toContain('ESRCH')
  })

  it('exits 2 on bad usage', () => {
    for (const args of [[], ['bogus'], ['snapshot', '--pid', 'abc'], ['snapshot', '--include', 'registry'], ['snapshot', '--frobnicate']]) {
      const r = cli(...args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr + r.stdout).toMatch(/usage: snapscope/)
    }
  })
})
