import '../test/layout'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Requests } from '../../../src-common/contract/contract'
import type { LeaksDoc } from '../../../src-common/contract/leakTypes'
import { ApiError } from '../api/connectedApi'
import { fakeApi, settle, type Handlers } from '../test/fakeApi'
import { leaks } from '../test/recorded'
import { LeaksView } from './LeaksView'
import { LibraryContext, type Library } from '../files/useLibrary'

afterEach(cleanup)

const doc = leaks.file.items[0] as LeaksDoc
const pid = doc.pid

/** leaks.blocks from the recorded pages: the lost Widgets and the reachable blocks */
function recordedBlocks(p: Requests['leaks.blocks']) {
  const page = p.kind === 'reachable' ? leaks.reachable : p.kind === 'definitely-lost' && p.type === 'Widget' ? leaks.widgets : { total: 0, offset: 0, blocks: [] }
  return { ...page, offset: p.offset, blocks: page.blocks.slice(p.offset, p.offset + p.limit) }
}

function host(extra: Handlers = {}) {
  let release = () => {}
  const h = fakeApi({
    'leaks.scan': () => new Promise((ok) => (release = () => ok(leaks.file))),
    'leaks.blocks': recordedBlocks,
    'leaks.preview': () => leaks.preview,
    'leaks.referrers': () => leaks.referrers,
    'file.close': () => ({ closed: true }),
    ...extra
  })
  return { ...h, finish: () => release() }
}

async function scanned(h = host()) {
  render(<LeaksView api={h.api} pid={pid} active />)
  fireEvent.click(screen.getByTestId('leak-scan'))
  await settle()
  h.emit('heap.progress', { scannedBytes: 512, totalBytes: 1024, blocks: 7 })
  h.finish()
  await settle()
  return h
}

describe('LeaksView on a recorded scan of leak_fixture', { timeout: 30_000 }, () => {
  it('shows progress, then the verdicts as a chart, the stop time and the lost groups', async () => {
    const h = host()
    render(<LeaksView api={h.api} pid={pid} active />)
    fireEvent.click(screen.getByTestId('leak-scan'))
    await settle()
    expect(screen.getByTestId('leak-progress').textContent).toContain('stopping the process')
    expect(h.subscribed('leaks.scan')).toBe(1)
    h.finish()
    await settle()
    expect(h.calls).toContainEqual(['leaks.scan', { pid }])
    const rows = screen.getAllByTestId('leak-summary-row')
    expect(rows.map((r) => [r.dataset.kind, Number(r.dataset.blocks), Number(r.dataset.bytes)])).toEqual([
      ['definitely-lost', doc.summary.definitelyLost.blocks, doc.summary.definitelyLost.bytes],
      ['indirectly-lost', doc.summary.indirectlyLost.blocks, doc.summary.indirectlyLost.bytes],
      ['possibly-lost', doc.summary.possiblyLost.blocks, doc.summary.possiblyLost.bytes],
      ['reachable', doc.summary.reachable.blocks, doc.summary.reachable.bytes]
    ])
    // the bars share one scale: the largest is full width
    const widths = rows.map((r) => parseFloat((r.querySelector('.leak-bar') as HTMLElement).style.width))
    expect(Math.max(...widths)).toBe(100)
    expect(screen.getByTestId('leak-stopped').textContent).toContain(`stopped for ${doc.stoppedMs.toFixed(1)} ms`)
    const groups = screen.getAllByTestId('leak-group-row')
    expect(groups).toHaveLength(doc.groups.length)
    expect(groups.map((g) => g.dataset.type)).toContain('Widget')
  })

  it('lists a group’s blocks, previews one and says what points at a reachable one', async () => {
    const h = await scanned()
    const index = doc.groups.findIndex((g) => g.type === 'Widget' && g.kind === 'definitely-lost')
    const table = screen.getByTestId('leak-groups')
    fireEvent.keyDown(table, { key: 'Home' })
    for (let i = 0; i < index; i++) fireEvent.keyDown(table, { key: 'ArrowDown' })
    await settle()
    expect(h.calls).toContainEqual(['leaks.blocks', expect.objectContaining({ fileId: leaks.file.fileId, kind: 'definitely-lost', type: 'Widget', blockSize: doc.groups[index].blockSize })])
    await vi.waitFor(() => expect(screen.getAllByTestId('leak-block-row')).toHaveLength(leaks.widgets.total))
    fireEvent.keyDown(screen.getByTestId('leak-block-table'), { key: 'Home' })
    await settle()
    const first = leaks.widgets.blocks[0]
    expect(h.calls).toContainEqual(['leaks.preview', { pid, address: first.address, length: first.blockSize }])
    expect(screen.getByTestId('leak-preview').textContent).toBe(leaks.preview.text)

    fireEvent.click(screen.getByTestId('leak-show-reachable'))
    await settle()
    const keptAt = leaks.reachable.blocks.findIndex((b) => b.address === leaks.kept)
    const blocks = screen.getByTestId('leak-block-table')
    fireEvent.keyDown(blocks, { key: 'Home' })
    for (let i = 0; i < keptAt; i++) fireEvent.keyDown(blocks, { key: 'ArrowDown' })
    await settle()
    fireEvent.click(screen.getByTestId('leak-referrers-ask'))
    await settle()
    expect(h.calls).toContainEqual(['leaks.referrers', { pid, address: leaks.kept }])
    expect(screen.getAllByTestId('leak-referrer').map((r) => r.dataset.source)).toEqual(leaks.referrers.referrers.map((r) => r.source))
  })

  it('stops a running scan on request', async () => {
    const h = host()
    render(<LeaksView api={h.api} pid={pid} active />)
    fireEvent.click(screen.getByTestId('leak-scan'))
    await settle()
    expect(h.subscribed('leaks.scan')).toBe(1)
    fireEvent.click(screen.getByTestId('leak-cancel'))
    expect(h.subscribed('leaks.scan')).toBe(0) // the request's signal aborted: the host cancels the scan
  })

  it('says what to do when the scan is refused, and closes the scan it replaces', async () => {
    const refused = host({ 'leaks.scan': () => Promise.reject(new ApiError('ENOTSUP', 'the allocator is not glibc malloc (jemalloc): only glibc heaps can be scanned')) })
    render(<LeaksView api={refused.api} pid={pid} active />)
    fireEvent.click(screen.getByTestId('leak-scan'))
    await settle()
    const error = screen.getByTestId('leak-error')
    expect(error.dataset.code).toBe('ENOTSUP')
    expect(error.textContent).toContain('jemalloc')
    expect(error.textContent).toMatch(/glibc heaps/)
    cleanup()

    const h = await scanned(host({ 'leaks.scan': () => leaks.file }))
    fireEvent.click(screen.getByTestId('leak-scan'))
    await settle()
    expect(h.calls).toContainEqual(['file.close', { fileId: leaks.file.fileId }])
  })

  it('hands each scan to the window’s library, which then owns the file', async () => {
    const h = host({ 'leaks.scan': () => leaks.file })
    const adopted: number[] = []
    const library = { adopt: (f: { fileId: number }) => adopted.push(f.fileId) } as unknown as Library
    render(
      <LibraryContext.Provider value={library}>
        <LeaksView api={h.api} pid={pid} active />
      </LibraryContext.Provider>
    )
    fireEvent.click(screen.getByTestId('leak-scan'))
    await settle()
    fireEvent.click(screen.getByTestId('leak-scan'))
    await settle()
    expect(adopted).toEqual([leaks.file.fileId, leaks.file.fileId])
    expect(h.channels()).not.toContain('file.close') // the library closes its files
  })
})
