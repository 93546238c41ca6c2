import '../test/layout'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { MemoryMapDoc } from '../../../src-common/contract/contract'
import { fmtBytes } from '../../../src-common/model/format/format'
import { ApiError } from '../api/connectedApi'
import { fakeApi, settle } from '../test/fakeApi'
import { memoryMaps } from '../test/recorded'
import { MemoryView } from './MemoryView'

afterEach(cleanup)

const { before, after, base, touchedBytes } = memoryMaps
const pid = before.pid
/** Answers memory.map with the recorded reads, one after the other. */
const reads = (...docs: MemoryMapDoc[]) => {
  let n = 0
  return fakeApi({ 'memory.map': () => docs[Math.min(n++, docs.length - 1)] })
}
const rows = () => screen.getAllByTestId('memory-row')
const cell = (row: HTMLElement, col: string) => row.querySelector(`[data-col="${col}"]`)!.textContent
const kindRow = (kind: string) => screen.getAllByTestId('memory-kind-row').find((r) => r.dataset.kind === kind)!
const holding = (doc: MemoryMapDoc, address: string) => doc.regions.find((r) => BigInt(r.start) <= BigInt(address) && BigInt(address) < BigInt(r.end))!

describe('MemoryView on two recorded memory maps of watch_toucher', () => {
  it('reads the map once shown: totals by kind, a chart, every region in address order', async () => {
    const h = reads(before)
    render(<MemoryView api={h.api} pid={pid} active />)
    await settle()
    expect(h.calls).toEqual([['memory.map', { pid }]])
    expect(screen.getByTestId('memory-count').textContent).toMatch(new RegExp(`^${before.regions.length} regions`))
    expect(screen.getByTestId('memory-chart')).toBeTruthy()
    expect(rows().map((r) => r.dataset.start)).toEqual(before.regions.map((r) => r.start))
    for (const t of before.totals) expect(cell(kindRow(t.kind), 'resident')).toBe(fmtBytes(t.residentBytes))
    // no earlier read: no growth to show
    expect(cell(rows()[0], 'residentGrowth')).toBe('—')
    expect(cell(kindRow('image'), 'residentGrowth')).toBe('—')
  })

  it('sorts by a header', async () => {
    render(<MemoryView api={reads(before).api} pid={pid} active />)
    await settle()
    fireEvent.click(screen.getByTestId('memory-table-sort-resident'))
    fireEvent.click(screen.getByTestId('memory-table-sort-resident'))
    const shown = rows().map((r) => before.regions.find((g) => g.start === r.dataset.start)!.residentBytes)
    expect(shown).toEqual([...shown].sort((a, b) => b - a))
  })

  it('Refresh shows what grew since the last look: the touched pages, in their region and their kind', async () => {
    const h = reads(before, after)
    render(<MemoryView api={h.api} pid={pid} active />)
    await settle()
    fireEvent.click(screen.getByTestId('memory-refresh'))
    await settle()
    expect(h.calls).toHaveLength(2)
    expect(screen.getByTestId('memory-count').textContent).toContain('growth since')
    const region = holding(after, base)
    const grown = after.regions.find((r) => r.start === region.start)!.residentBytes - holding(before, base).residentBytes
    expect(grown).toBeGreaterThanOrEqual(touchedBytes)
    const row = rows().find((r) => r.dataset.start === region.start)!
    expect(cell(row, 'residentGrowth')).toBe(`+${fmtBytes(grown)}`)
    expect(cell(row, 'privateGrowth')).toMatch(/^\+/)
    const kind = (doc: MemoryMapDoc) => doc.totals.find((t) => t.kind === region.kind)!.residentBytes
    expect(cell(kindRow(region.kind), 'residentGrowth')).toBe(`+${fmtBytes(kind(after) - kind(before))}`)
    // sorting by growth puts it first
    fireEvent.click(screen.getByTestId('memory-table-sort-residentGrowth'))
    fireEvent.click(screen.getByTestId('memory-table-sort-residentGrowth'))
    expect(rows()[0].dataset.start).toBe(region.start)
  })

  it('a process that exited says so, with Try again', async () => {
    const h = fakeApi({ 'memory.map': () => Promise.reject(new ApiError('ESRCH', `process ${pid} has exited`)) })
    render(<MemoryView api={h.api} pid={pid} active />)
    await settle()
    expect(screen.getByTestId('memory-error').dataset.code).toBe('ESRCH')
    expect(screen.getByTestId('memory-error').textContent).toContain('Reading the memory map')
  })
})
