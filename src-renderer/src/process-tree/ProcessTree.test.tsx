import '../test/layout'
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import type { ProcessEntry } from '../../../src-common/contract/contract'
import type { Mark } from '../processes/processStore'
import { generateProcesses } from '../test/fixtures'
import { ProcessTree, ROW_HEIGHT } from './ProcessTree'

afterEach(cleanup)

const N = 5000
const processes = generateProcesses(N)

function Harness({ data = processes, marks = new Map() }: { data?: Map<number, ProcessEntry>; marks?: Map<number, Mark> }) {
  const [selected, setSelected] = useState<number | null>(null)
  return (
    <>
      <output data-testid="selected">{selected ?? ''}</output>
      <ProcessTree processes={data} marks={marks} selectedPid={selected} onSelect={setSelected} emptyMessage="nothing yet" />
    </>
  )
}

const rows = () => screen.queryAllByTestId('process-row')
const pids = () => rows().map((r) => Number(r.dataset.pid))
const row = (pid: number) => document.querySelector<HTMLElement>(`[data-testid="process-row"][data-pid="${pid}"]`)
const grid = () => screen.getByTestId('process-tree')
const header = (col: string) => screen.getAllByTestId('column-header').find((h) => h.dataset.col === col)!
const typeFilter = (text: string) => fireEvent.change(screen.getByTestId('process-filter'), { target: { value: text } })

describe('ProcessTree with 5,000 processes', () => {
  it('keeps only a bounded window of rows in the DOM', () => {
    render(<Harness />)
    const count = rows().length
    expect(count).toBeGreaterThan(10)
    expect(count).toBeLessThan(80)
    expect(grid().getAttribute('aria-rowcount')).toBe(String(N))
    // Spacer keeps the full scroll height.
    expect(grid().querySelector<HTMLElement>('.vlist-body')!.style.height).toBe(`${N * ROW_HEIGHT}px`)
    const root = row(1)!
    expect(root.dataset.depth).toBe('0')
    expect(root.dataset.state).toBe('')
    expect(within(root).getByText('proc1')).toBeTruthy()
    expect(root.querySelector('[data-col="threads"]')!.textContent).toBe('1')
  })

  it('renders other rows when scrolled', () => {
    render(<Harness />)
    const before = pids()
    grid().scrollTop = 2500 * ROW_HEIGHT
    fireEvent.scroll(grid())
    const after = pids()
    expect(after.length).toBeLessThan(80)
    expect(after.some((p) => before.includes(p))).toBe(false)
    // rows flow in one wrapper translated to where the first of them shows
    const offset = Number(/translateY\((\d+)px\)/.exec(grid().querySelector<HTMLElement>('.vlist-rows')!.style.transform)![1])
    const positioned = rows().map((_, k) => offset + k * ROW_HEIGHT)
    expect(Math.min(...positioned)).toBeLessThanOrEqual(2500 * ROW_HEIGHT)
    expect(Math.max(...positioned)).toBeGreaterThan(2500 * ROW_HEIGHT)
  })

  it('nests children under their parent', () => {
    render(<Harness />)
    // pid order: 1, then its children 2.. with their own children 8..11 under 2
    expect(pids().slice(0, 6)).toEqual([1, 2, 8, 32, 128, 512])
    expect(rows()
      .slice(0, 6)
      .map((r) => r.dataset.depth)).toEqual(['0', '1', '2', '3', '4', '5'])
  })

  it('sorts siblings by a header click and reverses on the second click', () => {
    render(<Harness />)
    fireEvent.click(header('pid'))
    expect(header('pid').parentElement!.getAttribute('aria-sort')).toBe('descending')
    // Root stays first; its children now come largest pid first, still nested.
    expect(pids().slice(0, 2)).toEqual([1, 7])
    expect(row(7)!.dataset.depth).toBe('1')
    fireEvent.click(header('pid'))
    expect(pids().slice(0, 2)).toEqual([1, 2])

    fireEvent.click(header('workingSet'))
    expect(header('workingSet').parentElement!.getAttribute('aria-sort')).toBe('ascending')
    fireEvent.click(header('workingSet'))
    expect(pids().slice(0, 2)).toEqual([1, 7])
  })

  it('filters by exact pid, showing the match with its ancestors', () => {
    render(<Harness />)
    typeFilter('4321')
    // 4321 <- 1080 <- 270 <- 67 <- 16 <- 4 <- 1
    expect(pids()).toEqual([1, 4, 16, 67, 270, 1080, 4321])
    expect(row(4321)!.dataset.depth).toBe('6')
    expect(row(4321)!.classList.contains('context')).toBe(false)
    expect(row(1080)!.classList.contains('context')).toBe(true)
    expect(screen.getByTestId('match-count').textContent).toBe('1 match')

    // Enter jumps to the match.
    fireEvent.keyDown(screen.getByTestId('process-filter'), { key: 'Enter' })
    expect(screen.getByTestId('selected').textContent).toBe('4321')

    typeFilter('no-such-process')
    expect(rows()).toHaveLength(0)
    expect(screen.getByTestId('tree-empty').textContent).toContain('No process matches')

    fireEvent.keyDown(screen.getByTestId('process-filter'), { key: 'Escape' })
    expect(rows().length).toBeGreaterThan(10)
    // Clearing the filter keeps the selected process in view, deep in the full tree.
    expect(row(4321)!.getAttribute('aria-selected')).toBe('true')
  })

  it('filters by name, showing the top of the filtered list', () => {
    render(<Harness />)
    grid().scrollTop = 3000 * ROW_HEIGHT
    fireEvent.scroll(grid())
    typeFilter('PROC1') // 1, 10-19, 100-199, 1000-1999 and their ancestors: far longer than the viewport
    expect(Number(grid().getAttribute('aria-rowcount'))).toBeGreaterThan(1111)
    expect(pids().slice(0, 4)).toEqual([1, 2, 8, 32])
    expect(row(8)!.classList.contains('context')).toBe(true)
    expect(row(1)!.classList.contains('context')).toBe(false)

    typeFilter('proc4999')
    expect(pids()).toContain(4999)
    expect(pids()).not.toContain(2)
  })

  it('collapses and expands with the caret and the all buttons', () => {
    render(<Harness />)
    fireEvent.click(within(row(2)!).getByTestId('toggle'))
    expect(row(2)!.getAttribute('aria-expanded')).toBe('false')
    expect(row(8)).toBeNull()
    expect(pids().slice(0, 3)).toEqual([1, 2, 3])
    fireEvent.click(within(row(2)!).getByTestId('toggle'))
    expect(row(8)).not.toBeNull()

    fireEvent.click(screen.getByTestId('collapse-all'))
    expect(pids()).toEqual([1])
    expect(grid().querySelector<HTMLElement>('.vlist-body')!.style.height).toBe(`${ROW_HEIGHT}px`)
    fireEvent.click(screen.getByTestId('expand-all'))
    expect(grid().getAttribute('aria-rowcount')).toBe(String(N))
  })

  it('moves the selection with the keyboard and collapses/expands with left/right', () => {
    render(<Harness />)
    const key = (k: string) => fireEvent.keyDown(grid(), { key: k })
    const selected = () => screen.getByTestId('selected').textContent

    key('Enter')
    expect(selected()).toBe('1')
    key('ArrowDown')
    expect(selected()).toBe('2')
    expect(row(2)!.getAttribute('aria-selected')).toBe('true')
    key('ArrowLeft') // collapses 2
    expect(row(8)).toBeNull()
    key('ArrowRight') // expands 2
    expect(row(8)).not.toBeNull()
    key('ArrowRight') // on an expanded row: to its first child
    expect(selected()).toBe('8')
    key('ArrowLeft') // 8 is expanded: collapse it
    key('ArrowLeft') // collapsed: go to the parent
    expect(selected()).toBe('2')
    key('ArrowUp')
    expect(selected()).toBe('1')

    key('End')
    expect(selected()).not.toBe('1')
    // The selected last row was scrolled into view and rendered.
    expect(row(Number(selected()))).not.toBeNull()
  })

  it('marks added and removed rows', () => {
    const marks = new Map<number, Mark>([
      [2, { kind: 'added', at: 0 }],
      [3, { kind: 'removed', at: 0 }]
    ])
    render(<Harness data={generateProcesses(7)} marks={marks} />)
    expect(row(2)!.dataset.state).toBe('added')
    expect(row(2)!.classList.contains('row-added')).toBe(true)
    expect(row(3)!.dataset.state).toBe('removed')
    expect(row(3)!.classList.contains('row-removed')).toBe(true)
    expect(row(4)!.dataset.state).toBe('')
  })

  it('says what to do when there is nothing to show', () => {
    render(<Harness data={new Map()} />)
    expect(screen.getByTestId('tree-empty').textContent).toBe('nothing yet')
  })
})
