import '../test/layout'
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { HeapBlockRow, HeapView, Requests } from '../../../src-common/contract/contract'
import { ApiError } from '../api/connectedApi'
import type { PidSnapshot } from '../inspector/usePidSnapshot'
import { fakeApi, settle, type Handlers } from '../test/fakeApi'
import { heapView, heapWalks, snapshot } from '../test/recorded'
import { HeapsView } from './HeapsView'

afterEach(cleanup)

const pid = snapshot.targetPid!
const loaded: PidSnapshot = { snapshot, problem: null, loading: false, refresh: vi.fn() }
const main = snapshot.heapLists.find((h) => h.kind === 'main-arena')!

/** heap.blocks answered from the recorded pages of the main arena walk (rows it has no page for stay loading) */
function recordedBlocks(p: Requests['heap.blocks']) {
  const free = p.flags?.length === 1 && p.flags[0] === 'free'
  const source = free ? heapView.freePage : p.offset >= heapView.foundPage.offset ? heapView.foundPage : heapView.firstPage
  const at = p.offset - source.offset
  return { viewId: p.viewId, matched: source.matched, offset: p.offset, blocks: source.blocks.slice(at, at + p.limit) }
}

function host(extra: Handlers = {}) {
  return fakeApi({
    'heap.walk': () => heapWalks,
    'heap.open': (p) => ({ ...heapView.view, viewId: p.viewId }),
    'heap.blocks': recordedBlocks,
    'heap.find': () => heapView.found,
    'heap.close': () => ({ closed: true }),
    ...extra
  })
}

async function walkMain(h: ReturnType<typeof host>) {
  render(<HeapsView api={h.api} pid={pid} snapshot={loaded} active />)
  await settle()
  const table = screen.getByTestId('heap-table')
  const index = screen.getAllByTestId('heap-row').findIndex((r) => r.dataset.heap === main.heapId)
  for (let i = 0; i < index; i++) fireEvent.keyDown(table, { key: 'ArrowDown' })
  fireEvent.keyDown(table, { key: 'Enter' })
  await settle()
  await settle()
}

const flags = () => screen.getAllByTestId('block-row').map((r) => r.dataset.flags)

describe('HeapsView on the recorded heaps of heap_fixture', { timeout: 30_000 }, () => {
  it('lists every heap with its used and free totals', async () => {
    render(<HeapsView api={host().api} pid={pid} snapshot={loaded} active />)
    await settle()
    const rows = screen.getAllByTestId('heap-row')
    expect(rows.map((r) => r.dataset.heap)).toEqual(snapshot.heapLists.map((h) => h.heapId))
    const summary = heapWalks.heaps.find((h) => h.heapId === main.heapId)!.summary
    const row = rows.find((r) => r.dataset.heap === main.heapId)!
    expect(row.querySelector('[data-col="blocks"]')!.textContent).toBe(summary.blockCount.toLocaleString())
    expect(row.querySelector('[data-col="kind"]')!.textContent).toBe('main-arena (default)')
    expect(screen.getByTestId('walk-empty').textContent).toMatch(/walk it \(Enter or double-click\)/)
  })

  it('walks the main arena: totals, size classes, map and the first blocks', async () => {
    const h = host()
    await walkMain(h)
    expect(h.calls).toContainEqual(['heap.open', expect.objectContaining({ pid, heapId: main.heapId, stopTarget: true })])
    const summary = screen.getByTestId('walk-summary')
    expect(summary.dataset.blocks).toBe(String(heapView.view.summary.blockCount))
    expect(summary.textContent).toContain('with the process stopped (consistent)')
    expect(screen.getByTestId('size-histogram').querySelectorAll('.recharts-bar-rectangle').length).toBeGreaterThan(3)
    expect(screen.getByTestId('heap-map').querySelectorAll('.recharts-bar-rectangle').length).toBeGreaterThan(100)
    const rows = screen.getAllByTestId('block-row')
    expect(rows[0].dataset.address).toBe(heapView.firstPage.blocks[0].address)
    expect(screen.getByTestId('block-count').textContent).toBe(`${heapView.view.summary.blockCount.toLocaleString()} blocks`)
  })

  it('filters to free blocks, and finds a live pointer of the fixture by address', async () => {
    const h = host()
    await walkMain(h)
    fireEvent.click(screen.getByTestId('filter-free'))
    await settle()
    expect(h.calls.at(-1)).toEqual(['heap.blocks', expect.objectContaining({ offset: 0, flags: ['free'] })])
    expect(new Set(flags())).toEqual(new Set(['free']))
    expect(screen.getByTestId('block-count').textContent).toBe(`${heapView.freePage.matched} blocks match the filter`)

    fireEvent.click(screen.getByTestId('filter-clear'))
    await settle()
    fireEvent.change(screen.getByTestId('goto-address'), { target: { value: heapView.livePtr } })
    fireEvent.click(screen.getByTestId('goto-submit'))
    await settle()
    expect(h.calls).toContainEqual(['heap.find', { viewId: expect.any(Number), address: heapView.livePtr }])
    const selected = screen.getAllByTestId('block-row').find((r) => r.getAttribute('aria-selected') === 'true')!
    expect(selected.dataset.address).toBe(heapView.livePtr)
    expect(selected.dataset.flags).toBe('fixed')
  })

  it('shows progress while walking and cancels on request', async () => {
    let fail!: (e: Error) => void
    const h = host({ 'heap.open': () => new Promise<HeapView>((_, reject) => (fail = reject)) })
    await walkMain(h)
    h.emit('heap.progress', heapView.progress[0].payload)
    expect(screen.getByTestId('walk-progress').textContent).toMatch(/blocks/)
    // The cancel is the request's own (its signal): no other channel is asked.
    expect(h.subscribed('heap.open')).toBe(1)
    fireEvent.click(screen.getByTestId('walk-cancel'))
    expect(h.subscribed('heap.open')).toBe(0)
    fail(new ApiError('ECANCELED', 'heap walk cancelled'))
    await settle()
    expect(screen.getByTestId('walk-error').textContent).toMatch(/Cancelled: start it again when you are ready/)
  })

  it('pages through a million blocks, asking only for the pages in view', async () => {
    const N = 1_000_000
    const block = (i: number): HeapBlockRow => ({ index: i, address: '0x' + (0x500000000 + i * 32).toString(16), blockSize: 24, flags: i % 7 ? 'fixed' : 'free' })
    const h = host({
      'heap.open': (p) => ({ ...heapView.view, viewId: p.viewId, summary: { ...heapView.view.summary, blockCount: N } }),
      'heap.blocks': (p) => ({ viewId: p.viewId, matched: N, offset: p.offset, blocks: Array.from({ length: Math.min(p.limit, N - p.offset) }, (_, k) => block(p.offset + k)) })
    })
    await walkMain(h)
    const table = screen.getByTestId('block-table')
    expect(table.getAttribute('aria-rowcount')).toBe(String(N))
    fireEvent.keyDown(table, { key: 'End' })
    await settle()
    await settle()
    const indices = screen.getAllByTestId('block-row').map((r) => Number(r.dataset.index))
    expect(Math.max(...indices)).toBe(N - 1)
    const pages = h.calls.filter(([c]) => c === 'heap.blocks').map(([, p]) => (p as { offset: number }).offset)
    expect(pages.length).toBeLessThanOrEqual(4)
    expect(pages.at(-1)).toBeGreaterThan(N - 1000)
  })

  it('says why a heap cannot be walked', async () => {
    const unwalkable = { ...snapshot, heapLists: [{ ...main, walkable: false, allocator: 'musl', kind: 'region' as const, note: 'musl mallocng: regions listed, blocks not walked' }] }
    render(<HeapsView api={host().api} pid={pid} snapshot={{ ...loaded, snapshot: unwalkable }} active />)
    await settle()
    expect((screen.getByTestId('walk-heap') as HTMLButtonElement).disabled).toBe(true)
    expect(screen.getByText('musl mallocng: regions listed, blocks not walked', { selector: '.warn' })).toBeTruthy()
  })

  it('says what to do when the walk fails', async () => {
    const h = host({
      'heap.open': () => {
        throw new ApiError('EPERM', `pid ${pid}: ptrace: operation not permitted`)
      }
    })
    await walkMain(h)
    const error = screen.getByTestId('walk-error')
    expect(error.textContent).toMatch(/Walking heap .* failed: .*operation not permitted.*EPERM/)
    expect(within(error).getByText('Try again')).toBeTruthy()
  })
})
