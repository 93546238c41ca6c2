// Records the JSON the view tests are fed, from the real fixture programs:
//   npx tsx src-renderer/src/test/recorded/record.ts [heap|watch|memorymap …]
// The documents come from the `snapscope` command (snapshot, heap, watch), the live watch updates and
// heap view pages from a core Session (what a renderer receives over IPC). Each is trimmed to what
// the tests need, so the files stay small.
import { execFileSync, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { findRepoRoot, loadAddon } from '../../../../native/index'
import { startFixture } from '../../../../native/test/fixtures'
import { Session } from '../../../../src-main/core/session'
import type { Channel, EventName, Events, HeapWalksDoc, MemoryMapDoc, Requests, Responses, Snapshot, WatchUpdate, WsWatchDoc } from '../../../../src-common/contract/contract'

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

const RECORDINGS: Record<string, () => Promise<void>> = { heap: recordHeap, watch: recordWatch, memorymap: recordMemoryMap }

/** All of them, or those named on the command line (heap, watch, memorymap). */
async function main(): Promise<void> {
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(RECORDINGS)
  for (const name of names) {
    if (!RECORDINGS[name]) throw new Error(`no recording "${name}": one of ${Object.keys(RECORDINGS).join(', ')}`)
    await RECORDINGS[name]()
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
