// Records the JSON the view tests are fed, from the real fixture programs:
//   npx tsx src-renderer/src/test/recorded/record.ts [heap|watch|allocs|leaks|memorymap …]
// The documents come from the `snapscope` command (snapshot, heap, watch), the live watch updates and
// heap view pages from a core Session (what a renderer receives over IPC). Each is trimmed to what
// the tests need, so the files stay small.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findRepoRoot, loadAddon } from '../../../../native/index'
import { startFixture } from '../../../../native/test/fixtures'
import { Session } from '../../../../src-main/core/session'
import type { AllocUpdate, Channel, EventName, Events, HeapWalksDoc, MemoryMapDoc, Requests, Responses, Snapshot, WatchUpdate, WsWatchDoc } from '../../../../src-common/contract/contract'

const root = findRepoRoot()
const out = (name: string, value: unknown) => writeFileSync(join(__dirname, name), JSON.stringify(value, null, 1) + '\n')
const cli = (...args: string[]) =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(root, 'src-main/cli/snapscope.ts'), ...args], { maxBuffer: 1 << 28 }).toString())
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms))

async function recordHeap(): Promise<void> {
  const fixture = await startFixture<{ pid: number; live: { ptr: string; size: number }[] }>('heap_fixture', ['--blocks', '2000'])
  try {
    const { pid } = fixture.info
    const snap = cli('snapshot', '--pid', String(pid), '--include', 'process,thread,module,heaplist') as Snapshot
    out('snapshot.json', {
      ...snap,
      processes: snap.processes.filter((p) => p.pid === pid),
      threads: snap.threads.filter((t) => t.ownerPid === pid),
      errors: []
    })
    const walks = cli('heap', '--pid', String(pid), '--limit', '40') as HeapWalksDoc
    out('heapwalks.json', walks)

    const events: { event: EventName; payload: unknown }[] = []
    const session = new Session({ addon: loadAddon(), mode: 'browser', version: 'recorded' }, (m) => void ('event' in m && events.push({ event: m.event, payload: m.payload as never })))
    const main = snap.heapLists.find((h) => h.kind === 'main-arena')!
    const view = await ask(session, 'heap.open', { viewId: 1, pid, heapId: main.heapId, stopTarget: true })
    const firstPage = await ask(session, 'heap.blocks', { viewId: 1, offset: 0, limit: 300 })
    const freePage = await ask(session, 'heap.blocks', { viewId: 1, offset: 0, limit: 300, flags: ['free'] })
    const livePtr = fixture.info.live.find((l) => l.size === 3000)!.ptr
    const found = await ask(session, 'heap.find', { viewId: 1, address: livePtr })
    const foundPage = await ask(session, 'heap.blocks', { viewId: 1, offset: Math.max(0, found.position - 20), limit: 300 })
    const progress = events.filter((e) => e.event === 'heap.progress').slice(0, 5)
    out('heapview.json', { view, firstPage, freePage, livePtr, found, foundPage, progress })
    session.close()
  } finally {
    await fixture.stop()
  }
}

let nextId = 1
/** A request to the session, its answer unwrapped (an error thrown). */
async function ask<C extends Channel>(session: Session, channel: C, payload: Requests[C]): Promise<Responses[C]> {
  const answer = await session.handle({ id: nextId++, channel, payload })
  if (!answer.ok) throw Object.assign(new Error(answer.error.message), { code: answer.error.code })
  return answer.result as Responses[C]
}

interface Toucher {
  pid: number
  pages: number
}

async function recordWatch(): Promise<void> {
  // The document, from the command, while the fixture touches its pages on both threads.
  const fixture = await startFixture<Toucher>('watch_toucher', ['--pages', '512', '--split', '256'])
  try {
    const { pid } = fixture.info
    const watch = spawn(process.execPath, ['--import', 'tsx', join(root, 'src-main/cli/snapscope.ts'), 'watch', '--pid', String(pid), '--seconds', '2'])
    let stdout = ''
    watch.stdout.on('data', (d) => (stdout += d))
    await new Promise<void>((ok) => watch.stderr.on('data', (d) => String(d).includes('attached') && ok()))
    process.kill(pid, 'SIGUSR1')
    await sleep(600)
    process.kill(pid, 'SIGUSR2')
    await new Promise((ok) => watch.on('exit', ok))
    const doc = JSON.parse(stdout) as WsWatchDoc
    out('wswatch.json', { ...doc, faults: doc.faults.slice(0, 200) })
  } finally {
    await fixture.stop()
  }

  // The live stream a renderer gets, and the answers to window queries.
  const live = await startFixture<Toucher>('watch_toucher', ['--pages', '2048', '--split', '1024'])
  try {
    const events: { event: EventName; payload: Events[EventName] }[] = []
    const session = new Session({ addon: loadAddon(), mode: 'browser', version: 'recorded' }, (m) => void ('event' in m && events.push({ event: m.event, payload: m.payload as never })))
    const snapshot = await ask(session, 'snapshot.take', { include: ['module'], pid: live.info.pid })
    const { watchId } = await ask(session, 'watch.start', { pid: live.info.pid })
    await sleep(400)
    process.kill(live.info.pid, 'SIGUSR1')
    await sleep(800)
    process.kill(live.info.pid, 'SIGUSR2')
    await sleep(800)
    await ask(session, 'watch.stop', { watchId })
    const updates = events.filter((e) => e.event === 'watch.update').map((e) => e.payload as WatchUpdate)
    const query = await ask(session, 'watch.query', { watchId, fromMs: 0, limit: 200 })
    const moduleQuery = await ask(session, 'watch.query', { watchId, module: 'watch_toucher', limit: 50 })
    out('watch-updates.json', { pid: live.info.pid, modules: snapshot.modules, updates, query, moduleQuery })
    session.close()
  } finally {
    await live.stop()
  }
}

/** A trace of alloc_chains (300 leaks of 200 B from leak_a > leak_b > leak_c, 500 temporary ones) as a
 *  renderer gets it, the document of a later trace of two such rounds, and a walk of the same
 *  process's main arena (for the size class link). */
async function recordAllocs(): Promise<void> {
  const fixture = await startFixture<{ pid: number }>('alloc_chains', ['--mode', 'chains', '--leaks', '300', '--temps', '500'], { build: { flags: ['-O1', '-g'], variant: 'O1g' } })
  try {
    const { pid } = fixture.info
    const events: { event: EventName; payload: Events[EventName] }[] = []
    const session = new Session({ addon: loadAddon(), mode: 'browser', version: 'recorded' }, (m) => void ('event' in m && events.push({ event: m.event, payload: m.payload as never })))
    const snap = await ask(session, 'snapshot.take', { include: ['process', 'thread', 'module', 'heaplist'], pid })
    const started = await ask(session, 'allocs.start', { pid })
    await sleep(400)
    process.kill(pid, 'SIGUSR1')
    await sleep(1200)
    const end = await ask(session, 'allocs.stop', { traceId: started.traceId })
    const updates = events.filter((e) => e.event === 'allocs.update').map((e) => e.payload as AllocUpdate)
    // a later trace of two rounds: its leak stack left twice as many blocks (for the compare)
    const again = await ask(session, 'allocs.start', { pid })
    await sleep(400)
    process.kill(pid, 'SIGUSR1')
    await sleep(600)
    process.kill(pid, 'SIGUSR1')
    await sleep(1200)
    const later = await ask(session, 'allocs.stop', { traceId: again.traceId })
    const main = snap.heapLists.find((h) => h.kind === 'main-arena')!
    const view = await ask(session, 'heap.open', { viewId: 1, pid, heapId: main.heapId, stopTarget: true })
    const firstPage = await ask(session, 'heap.blocks', { viewId: 1, offset: 0, limit: 100 })
    const snapshot = { ...snap, processes: snap.processes.filter((p) => p.pid === pid), threads: snap.threads.filter((t) => t.ownerPid === pid), errors: [] }
    out('allocs.json', { pid, started, updates, end, later: later.file!.items[0], snapshot, view, firstPage })
    session.close()
  } finally {
    await fixture.stop()
  }
}

/** Two memory maps of watch_toucher: before, and after thread A touched 256 of its pages. */
async function recordMemoryMap(): Promise<void> {
  const fixture = await startFixture<Toucher & { base: string }>('watch_toucher', ['--pages', '512', '--split', '256'])
  try {
    const { pid } = fixture.info
    const before = cli('map', '--pid', String(pid)) as MemoryMapDoc
    const done = new Promise<void>((ok) => fixture.proc.stdout!.on('data', (d) => String(d).includes('"done":true') && ok()))
    process.kill(pid, 'SIGUSR1')
    await done
    const after = cli('map', '--pid', String(pid)) as MemoryMapDoc
    out('memorymap.json', { base: fixture.info.base, touchedBytes: 256 * 4096, before, after })
  } finally {
    await fixture.stop()
  }
}

async function recordLeaks(): Promise<void> {
  const truth = join(mkdtempSync(join(tmpdir(), 'snapscope-leaks-')), 'truth.txt')
  const fixture = await startFixture<{ pid: number }>('leak_fixture', ['--truth', truth])
  try {
    const { pid } = fixture.info
    const session = new Session({ addon: loadAddon(), mode: 'browser', version: 'recorded' }, () => {})
    const file = await ask(session, 'leaks.scan', { pid })
    const item = { fileId: file.fileId, item: 0 }
    const widgets = await ask(session, 'leaks.blocks', { ...item, kind: 'definitely-lost', type: 'Widget', offset: 0, limit: 100 })
    const reachable = await ask(session, 'leaks.blocks', { ...item, kind: 'reachable', offset: 0, limit: 100 })
    const preview = await ask(session, 'leaks.preview', { pid, address: widgets.blocks[0].address, length: 64 })
    const kept = reachable.blocks.find((b) => b.type === 'Widget')!
    const referrers = await ask(session, 'leaks.referrers', { pid, address: kept.address })
    out('leaks.json', { file, widgets, reachable, preview, kept: kept.address, referrers })
    session.close()
  } finally {
    await fixture.stop()
  }
}

const RECORDINGS: Record<string, () => Promise<void>> = { heap: recordHeap, watch: recordWatch, allocs: recordAllocs, leaks: recordLeaks, memorymap: recordMemoryMap }

/** every recording, or those named: `record.ts leaks` */
async function main(): Promise<void> {
  const names = process.argv.slice(2)
  for (const name of names.length ? names : Object.keys(RECORDINGS)) {
    const record = RECORDINGS[name]
    if (!record) throw new Error(`no recording "${name}": name one of ${Object.keys(RECORDINGS).join(', ')}`)
    await record()
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
