import { describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFixture, startZombie } from '../../native/test/fixtures'
import { addr2line } from '../../test-support/addr2line'
import { ERROR_CODES } from '../../src-common/contract/errors'
import type { HeapWalkDoc, HeapWalksDoc, Snapshot, WsWatchDoc } from '../../src-common/contract/types'

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
    // one line, ending in the registry's advice for the code
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/\(ESRCH\)/)])
    expect(r.stderr.trimEnd().endsWith(` — ${ERROR_CODES.ESRCH.advice}`), r.stderr).toBe(true)
  })

  it('exits 2 on bad usage', () => {
    for (const args of [[], ['bogus'], ['snapshot', '--pid', 'abc'], ['snapshot', '--include', 'registry'], ['snapshot', '--frobnicate']]) {
      const r = cli(...args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr + r.stdout).toMatch(/usage: snapscope/)
    }
  })
})

interface HeapFixture {
  pid: number
  live: { ptr: string; size: number }[]
  freed: string[]
}

describe('snapscope heap', () => {
  it('walks every heap of a fixture: every live pointer is a fixed block at least as large as asked', async () => {
    const fixture = await startFixture<HeapFixture>('heap_fixture')
    try {
      const r = cli('heap', '--pid', String(fixture.info.pid))
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const doc = JSON.parse(r.stdout) as HeapWalksDoc
      expect(doc.format).toBe('snapscope.heapwalks/1')
      expect(doc.stopped).toBe(false)
      const blocks = new Map(doc.heaps.flatMap((h) => h.blocks.map((b) => [b.address, b] as const)))
      for (const live of fixture.info.live) {
        const block = blocks.get(live.ptr)
        expect(block, live.ptr).toBeDefined()
        expect(block!.flags).toBe('fixed')
        expect(block!.blockSize).toBeGreaterThanOrEqual(live.size)
      }
      for (const freed of fixture.info.freed) expect(blocks.get(freed)?.flags ?? 'free').toBe('free')

      const main = doc.heaps.find((h) => h.kind === 'main-arena')!
      const page = cli('heap', '--pid', String(fixture.info.pid), '--heap', main.heapId, '--limit', '5', '--offset', '2', '--stop')
      expect(page.code).toBe(0)
      const one = JSON.parse(page.stdout) as HeapWalkDoc
      expect(one.format).toBe('snapscope.heapwalk/1')
      expect(one.stopped).toBe(true)
      expect(one.truncated).toBe(true)
      expect(one.offset).toBe(2)
      expect(one.blocks).toEqual(main.blocks.slice(2, 7))
      expect(one.summary.blockCount).toBe(main.summary.blockCount)
    } finally {
      await fixture.stop()
    }
  })

  it('exits 1 with ESRCH for a missing pid and 2 without --pid', () => {
    const missing = cli('heap', '--pid', String(deadPid()))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/ESRCH/)
    expect(cli('heap').code).toBe(2)
    expect(cli('heap', '--pid', '1', '--limit', '-3').code).toBe(2)
  })
})

interface Toucher {
  pid: number
  base: string
  pages: number
  split: number
  pageSize: number
  touchFn: string
}

describe('snapscope watch', () => {
  it('says "attached" once live, then records every page the fixture touches, in its module and region', async () => {
    const fixture = await startFixture<Toucher>('watch_toucher', ['--pages', '256', '--split', '128'])
    try {
      const { pid, base, pages, pageSize } = fixture.info
      const watch = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'snapscope.ts'), 'watch', '--pid', String(pid), '--seconds', '2'])
      let stdout = ''
      let stderr = ''
      watch.stdout.on('data', (d) => (stdout += d))
      // 'close': after the last of its output was read ('exit' can come first)
      const exited = new Promise<number | null>((ok) => watch.on('close', ok))
      await new Promise<void>((ok, fail) => {
        watch.stderr.on('data', (d) => {
          stderr += d
          if (stderr.includes(`attached pid=${pid}`)) ok()
        })
        watch.on('exit', () => fail(new Error(`watch exited before attaching: ${stderr}`)))
      })
      process.kill(pid, 'SIGUSR1')
      process.kill(pid, 'SIGUSR2')
      expect(await exited).toBe(0)
      const doc = JSON.parse(stdout) as WsWatchDoc
      expect(doc.format).toBe('snapscope.wswatch/1')
      expect(doc.mechanism).toBe('perf-page-faults')
      const start = BigInt(base)
      const end = start + BigInt(pages * pageSize)
      const touched = new Set(doc.faults.map((f) => BigInt(f.va)).filter((va) => va >= start && va < end).map((va) => (va - start) / BigInt(pageSize)))
      expect(touched.size + doc.lost).toBeGreaterThanOrEqual(pages)
      expect(doc.summary.byModule[0].module).toBe('watch_toucher')
      expect(doc.summary.topPcs[0].symbol).toMatch(/^watch_toucher\+0x[0-9a-f]+$/)
      // named while the watch ran: as eu-addr2line names it in the fixture, the records' pcs in the symbols table
      const top = doc.summary.topPcs[0]
      expect(top.function).toBe((await addr2line(pid, [BigInt(top.pc)]))[0].function)
      expect(top.function).toBe('touch_pages')
      const named = new Map(doc.symbols!.map((s) => [s.address, s]))
      expect(doc.faults.filter((f) => f.module === 'watch_toucher').every((f) => named.get(f.pc)?.module === 'watch_toucher')).toBe(true)
      expect(doc.summary.byRegion.find((r) => r.region === 'anon')!.count).toBeGreaterThanOrEqual(pages - doc.lost)
      expect(doc.summary.total).toBe(doc.faults.length + doc.omitted)
    } finally {
      await fixture.stop()
    }
  })

  it('exits 1 with ESRCH for a missing pid and 2 on bad usage', () => {
    const missing = cli('watch', '--pid', String(deadPid()), '--seconds', '1')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/ESRCH/)
    expect(cli('watch', '--pid', '1').code).toBe(2)
    expect(cli('watch', '--pid', '1', '--seconds', '0').code).toBe(2)
  })
})

describe('processes without user memory', () => {
  const psField = (pid: number, field: string): string =>
    spawnSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8' }).stdout.trim()

  it('a zombie: its module and heap lists are ESRCH errors saying it is a zombie, and so is a walk', async () => {
    const { pid: zombie, stop } = await startZombie()
    try {
      const said = expect.stringMatching(new RegExp(`^process ${zombie} is a zombie: it has exited and no memory remains`))

      const r = cli('snapshot', '--pid', String(zombie), '--include', 'module,heaplist')
      expect(r.code).toBe(0)
      const snap = JSON.parse(r.stdout) as Snapshot
      expect(snap.modules).toEqual([])
      expect(snap.heapLists).toEqual([])
      expect(snap.errors).toEqual([
        { pid: zombie, scope: 'modules', code: 'ESRCH', message: said },
        { pid: zombie, scope: 'heaplist', code: 'ESRCH', message: said }
      ])
      for (const stop of [[], ['--stop']]) {
        const walk = cli('heap', '--pid', String(zombie), ...stop)
        expect(walk.code).toBe(1)
        expect(walk.stderr).toMatch(/is a zombie: it has exited and no memory remains.*\(ESRCH\)/)
      }
    } finally {
      stop()
    }
  })

  it('a kernel thread (pid 2): no modules or heaps, and a walk says it is a kernel thread, also with --stop', () => {
    expect(psField(2, 'comm')).toBe('kthreadd')
    const r = cli('snapshot', '--pid', '2', '--include', 'module,heaplist')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ modules: [], heapLists: [], errors: [] })
    for (const stop of [[], ['--stop']]) {
      const walk = cli('heap', '--pid', '2', ...stop)
      expect(walk.code).toBe(1)
      expect(walk.stderr).toBe(`snapscope heap: process 2 is a kernel thread: it has no user memory, so no heaps to walk (ENOTSUP) — ${ERROR_CODES.ENOTSUP.advice}\n`)
    }
  })
})
