// The Allocations tab and its link from the heap walk, fed the recorded trace of alloc_chains (300
// leaks of 200 B from leak_a > leak_b > leak_c, 500 temporary ones of 72 B): start, live totals,
// stop, the call tree both ways, the flame graph, search, pprof, and the stacks of a size class.
import '../test/layout'
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { AllocsDoc } from '../../../src-common/contract/contract'
import { App } from '../App'
import { fakeApi, settle } from '../test/fakeApi'
import { delta } from '../test/fixtures'
import { allocs } from '../test/recorded'
import { ThemeProvider } from '../theme/ThemeContext'

afterEach(cleanup)

const { pid } = allocs
const doc = allocs.end.file!.items[0] as AllocsDoc
const entry = allocs.snapshot.processes.find((p) => p.pid === pid)!
const leakSize = doc.stacks[0].bytes / doc.stacks[0].allocations

function host() {
  return fakeApi({
    'app.hello': () => ({ version: '1', mode: 'browser', host: allocs.snapshot.host, elevated: true }),
    'processes.watch': (p) => ({ intervalMs: p.intervalMs }),
    'process.details': (p) => ({ pid: p.pid }),
    'snapshot.take': () => allocs.snapshot,
    'heap.walk': () => ({ format: 'snapscope.heapwalks/1', pid, takenAt: allocs.view.takenAt, stopped: true, heaps: [], errors: [] }),
    'heap.open': (p) => ({ ...allocs.view, viewId: p.viewId }),
    'heap.blocks': (p) => ({ ...allocs.firstPage, viewId: p.viewId, blocks: allocs.firstPage.blocks.slice(0, p.limit) }),
    'heap.close': () => ({ closed: true }),
    'allocs.start': () => allocs.started,
    'allocs.stop': () => allocs.end,
    'allocs.pprof': () => ({ name: 'allocs.pb.gz', mime: 'application/gzip', bytes: new Uint8Array([0x1f, 0x8b]) })
  })
}

async function openTab(h: ReturnType<typeof host>, digit: string) {
  h.emit('processes.delta', delta({ reset: true, added: [entry], threadsAdded: allocs.snapshot.threads }))
  fireEvent.click(document.querySelector(`[data-testid="process-row"][data-pid="${pid}"]`)!)
  await settle()
  fireEvent.keyDown(window, { key: digit, altKey: true })
  await settle()
}

function shown() {
  const h = host()
  render(
    <ThemeProvider>
      <App api={h.api} />
    </ThemeProvider>
  )
  return h
}

const rows = () => screen.getAllByTestId('call-tree-row').map((r) => [r.dataset.name, Number(r.dataset.depth)])

async function traced(h: ReturnType<typeof host>) {
  fireEvent.click(screen.getByTestId('allocs-start'))
  await settle()
  for (const u of allocs.updates) h.emit('allocs.update', u)
  await settle()
}

describe('Allocations tab on the recorded trace of alloc_chains', { timeout: 90_000 }, () => {
  it('starts a trace, shows its live totals and stacks, and after Stop the document by leaked bytes', async () => {
    const h = shown()
    await openTab(h, '6')
    expect(screen.getByTestId('allocs-empty').textContent).toMatch(/without restarting it/)
    await traced(h)
    expect(h.calls).toContainEqual(['allocs.start', { pid }])
    const last = allocs.updates[allocs.updates.length - 1]
    const totals = screen.getByTestId('allocs-totals')
    expect(totals.dataset.allocations).toBe(String(last.totals.allocations))
    expect(totals.textContent).toMatch(/Live/)
    expect(screen.getByTestId('allocs-lost').dataset.lost).toBe('0')
    expect(screen.getByTestId('allocs-status').dataset.phase).toBe('running')
    expect(Number(screen.getByTestId('allocs-live-chart').dataset.points)).toBe(new Set(allocs.updates.map((u) => u.nowMs)).size)
    expect(screen.getByTestId('allocs-live-chart').querySelectorAll('.recharts-line').length).toBe(2)
    fireEvent.click(screen.getByTestId('allocs-stop'))
    await settle()
    expect(h.calls).toContainEqual(['allocs.stop', { traceId: allocs.started.traceId }])
    expect(screen.getByTestId('allocs-totals').dataset.leakedBytes).toBe(String(doc.totals.leakedBytes))
    // top-down by leaked bytes: opened along the heaviest path, from the outermost caller to leak_c
    const names = rows().map(([n]) => n)
    expect(names.indexOf('leak_a')).toBeLessThan(names.indexOf('leak_b'))
    expect(names.indexOf('leak_b')).toBeLessThan(names.indexOf('leak_c'))
    expect(screen.getByTestId('flame-graph').querySelectorAll('[data-testid="flame-rect"][data-name="leak_c"]')).toHaveLength(1)
    // by allocations, leak_a has 300 of 800; a double click zooms to it, and back
    fireEvent.change(screen.getByTestId('allocs-metric'), { target: { value: 'allocations' } })
    await settle()
    const rect = (name: string) => document.querySelector<HTMLElement>(`[data-testid="flame-rect"][data-name="${name}"]`)
    expect(Number(rect('leak_a')!.dataset.width)).toBeCloseTo(300 / 800)
    expect(rect('temp_a')).not.toBeNull()
    fireEvent.doubleClick(rect('leak_a')!)
    expect(Number(rect('leak_a')!.dataset.width)).toBe(1)
    expect(Number(rect('leak_c')!.dataset.width)).toBe(1)
    expect(rect('temp_a')).toBeNull()
    fireEvent.click(screen.getByTestId('flame-unzoom'))
    expect(rect('temp_a')).not.toBeNull()
  })

  it('turns the tree bottom-up, measures by temporary allocations, searches, and saves pprof', async () => {
    const h = shown()
    await openTab(h, '6')
    await traced(h)
    fireEvent.click(screen.getByTestId('allocs-stop'))
    await settle()
    fireEvent.click(screen.getByTestId('allocs-bottom-up'))
    fireEvent.change(screen.getByTestId('allocs-metric'), { target: { value: 'temporary' } })
    await settle()
    expect(rows().slice(0, 3)).toEqual([
      ['temp_c', 1],
      ['temp_b', 2],
      ['temp_a', 3]
    ])
    // a click on a frame lists its stacks with their numbers
    fireEvent.click(screen.getAllByTestId('call-tree-row')[0])
    const side = within(screen.getByTestId('allocs-side'))
    expect(side.getAllByTestId('stack-item')).toHaveLength(1)
    expect(side.getByTestId('stack-item').textContent).toMatch(/500 allocations.*500 temporary/)
    fireEvent.change(screen.getByTestId('allocs-search'), { target: { value: 'leak_b' } })
    await settle()
    expect(screen.getByTestId('allocs-matches').textContent).toBe(`1 of ${doc.stacks.length} stacks`)
    expect(rows()[0][0]).toBe('leak_c')
    fireEvent.click(screen.getByTestId('allocs-pprof'))
    await settle()
    expect(h.calls).toContainEqual(['allocs.pprof', { fileId: allocs.end.file!.fileId }])
  })

  it("links the heap walk's size class to the stacks that allocate it, or offers to trace", async () => {
    const h = shown()
    await openTab(h, '3')
    fireEvent.keyDown(screen.getByTestId('heap-table'), { key: 'Enter' })
    await settle()
    await settle()
    const pick = (min: string, max: string) => {
      fireEvent.change(screen.getByTestId('filter-min'), { target: { value: min } })
      fireEvent.change(screen.getByTestId('filter-max'), { target: { value: max } })
      fireEvent.click(screen.getByTestId('filter-apply'))
    }
    pick('129', '256')
    await settle()
    expect(screen.getByTestId('size-class-stacks').textContent).toMatch(/No allocation trace of pid/)
    fireEvent.click(screen.getByTestId('size-class-trace'))
    await settle()
    // it went to the Allocations tab and started there
    expect(h.calls).toContainEqual(['allocs.start', { pid }])
    expect(screen.getByTestId('tab-allocs').getAttribute('aria-selected')).toBe('true')
    for (const u of allocs.updates) h.emit('allocs.update', u)
    fireEvent.click(screen.getByTestId('allocs-stop'))
    await settle()
    fireEvent.keyDown(window, { key: '3', altKey: true })
    await settle()
    const panel = within(screen.getByTestId('size-class-stacks'))
    const items = panel.getAllByTestId('stack-item')
    expect(items).toHaveLength(1)
    expect(items[0].textContent).toMatch(/^leak_c \(alloc_chains\.c:\d+\)/)
    expect(items[0].textContent).toContain('leak_c ← leak_b ← leak_a')
    expect(items[0].textContent).toContain(`${doc.stacks[0].allocations} allocations`)
    expect(leakSize).toBe(200)
    // the temporary 72 B blocks are another class (73–128 once served: 72 + 8 rounded up, less the header)
    pick('65', '128')
    await settle()
    expect(within(screen.getByTestId('size-class-stacks')).getByTestId('stack-item').textContent).toMatch(/^temp_c/)
  })

  it('says how many stacks a trace that ended by itself left out of the view', async () => {
    const h = shown()
    await openTab(h, '6')
    await traced(h)
    expect(screen.queryByTestId('allocs-omitted')).toBeNull()
    // the host ends it (the target exited) and its view of the document was cut (library.ts: VIEW_ALLOC_STACKS)
    const file = { ...allocs.end.file!, items: [{ ...doc, omittedStacks: 7 }] }
    h.emit('allocs.ended', { ...allocs.end, endReason: 'target-exited', file })
    await settle()
    expect(screen.getByTestId('allocs-status').dataset.phase).toBe('ended')
    expect(screen.getByTestId('allocs-status').textContent).toContain('ended: target-exited')
    expect(screen.getByTestId('allocs-omitted').textContent).toMatch(/^7 stacks that leaked less are not shown/)
  })
})
