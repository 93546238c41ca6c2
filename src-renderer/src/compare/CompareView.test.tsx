import '../test/layout'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { compare } from '../../../src-common/model/diff/diff'
import { makeFile } from '../../../src-main/core/files/snapshotFile'
import { HOST, at, heapWalksDoc, proc, snapshotDoc } from '../../../test-support/testDocs'
import { fakeApi, settle } from '../test/fakeApi'
import { LeakWorkbench } from '../files/LeakWorkbench'
import { CHARTS_TIMEOUT, openedFile } from '../test/testFiles'
import { allocs, leaks } from '../test/recorded'
import type { AllocsDoc } from '../../../src-common/contract/allocTypes'
import type { LeaksDoc } from '../../../src-common/contract/leakTypes'
import type { FileItem } from '../../../src-common/contract/fileTypes'

afterEach(cleanup)

const before = [snapshotDoc([proc(7), proc(8)]), heapWalksDoc(7, [10, 10, 10])]
const after = [snapshotDoc([proc(7), proc(9)], { takenAt: at(60_000) }), heapWalksDoc(7, [10, 10, 910], at(60_000))]

describe('compare', () => {
  it('compares the two files opened last and shows the suspects, size classes and processes', { timeout: CHARTS_TIMEOUT }, async () => {
    const files = [openedFile(1, 'before.snapscope', before), openedFile(2, 'after.snapscope', after)]
    let opened = 0
    const host = fakeApi({
      'file.upload': () => files[opened++],
      'diff.run': (p) => {
        const side = (r: { fileId: number; item?: number }) => ({ file: makeFile(files[r.fileId - 1].items, HOST), name: files[r.fileId - 1].name, item: r.item })
        return compare(side(p.a), side(p.b))
      }
    })
    render(<LeakWorkbench api={host.api} />)
    expect(screen.getByTestId('compare-empty')).toBeTruthy()
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [new File(['a'], 'before.snapscope'), new File(['b'], 'after.snapscope')] } })
    await vi.waitFor(() => expect(screen.getAllByTestId('open-file')).toHaveLength(2))
    fireEvent.click(screen.getByTestId('tab-wb-compare'))
    expect((screen.getByTestId('compare-a') as HTMLSelectElement).value).toBe('1:')
    expect((screen.getByTestId('compare-b') as HTMLSelectElement).value).toBe('2:')
    fireEvent.click(screen.getByTestId('compare-run'))
    await settle()
    await vi.waitFor(() => expect(screen.getByTestId('diff-result')).toBeTruthy())
    expect(host.calls).toContainEqual(['diff.run', { a: { fileId: 1 }, b: { fileId: 2 } }])
    const suspect = screen.getAllByTestId('suspect')[0]
    expect(suspect.dataset).toMatchObject({ kind: 'size-class', minSize: '65' })
    expect(suspect.textContent).toBe('Blocks of 65–128 B: 10 → 910 (+900, +9,000%; +900/min)')
    expect(screen.getByTestId('diff-size-classes').querySelector('tr.marked')?.textContent).toMatch(/^65–128 B/)
    expect(screen.getAllByTestId('diff-started-row')[0].textContent).toMatch(/^9app9/)
    expect(screen.getAllByTestId('diff-exited-row')[0].textContent).toMatch(/^8app8/)
    expect(screen.getByTestId('compare-export')).toBeTruthy()

    // One item against another: the heap walks alone.
    fireEvent.change(screen.getByTestId('compare-a'), { target: { value: '1:1' } })
    fireEvent.change(screen.getByTestId('compare-b'), { target: { value: '2:1' } })
    fireEvent.click(screen.getByTestId('compare-run'))
    await settle()
    expect(host.calls).toContainEqual(['diff.run', { a: { fileId: 1, item: 1 }, b: { fileId: 2, item: 1 } }])
  })

  it('compares two recorded allocation traces of alloc_chains: the leak stack that left more blocks, as a suspect and a table', { timeout: CHARTS_TIMEOUT }, async () => {
    const first = allocs.end.file!.items[0] as AllocsDoc
    const files = [openedFile(1, 'first.snapscope', [first]), openedFile(2, 'later.snapscope', [allocs.later])]
    let opened = 0
    const host = fakeApi({
      'file.upload': () => files[opened++],
      'diff.run': (p) => compare({ file: makeFile(files[p.a.fileId - 1].items, HOST), name: 'a' }, { file: makeFile(files[p.b.fileId - 1].items, HOST), name: 'b' })
    })
    render(<LeakWorkbench api={host.api} />)
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [new File(['a'], 'first.snapscope'), new File(['b'], 'later.snapscope')] } })
    await vi.waitFor(() => expect(screen.getAllByTestId('open-file')).toHaveLength(2))
    fireEvent.click(screen.getByTestId('tab-wb-compare'))
    fireEvent.click(screen.getByTestId('compare-run'))
    await settle()
    await vi.waitFor(() => expect(screen.getByTestId('diff-result')).toBeTruthy())
    const suspect = screen.getAllByTestId('suspect')[0]
    expect(suspect.dataset.kind).toBe('alloc-stack')
    expect(suspect.textContent).toMatch(/^Blocks left live by leak_c \(alloc_chains\.c:\d+\): 300 → 600 \(\+300, \+100%/)
    const row = screen.getAllByTestId('diff-alloc-stacks-row')[0]
    expect(row.textContent).toMatch(/^leak_c \(alloc_chains\.c:\d+\)/)
    expect(row.textContent).toContain('leak_c ← leak_b ← leak_a')
    expect(screen.getAllByTestId('diff-alloc-stacks-row')).toHaveLength(1)
  })
})

/** Opens files of `a` and `b` in a workbench and compares them (the compare runs here, as the host would run it). */
async function compareInWorkbench(a: FileItem[], b: FileItem[]) {
  const files = [openedFile(1, 'a.snapscope', a), openedFile(2, 'b.snapscope', b)]
  let opened = 0
  const host = fakeApi({
    'file.upload': () => files[opened++],
    'diff.run': () => compare({ file: makeFile(a, HOST), name: 'a.snapscope' }, { file: makeFile(b, HOST), name: 'b.snapscope' })
  })
  render(<LeakWorkbench api={host.api} />)
  fireEvent.change(screen.getByTestId('file-input'), { target: { files: [new File(['a'], 'a.snapscope'), new File(['b'], 'b.snapscope')] } })
  await vi.waitFor(() => expect(screen.getAllByTestId('open-file')).toHaveLength(2))
  fireEvent.click(screen.getByTestId('tab-wb-compare'))
  fireEvent.click(screen.getByTestId('compare-run'))
}

describe('compare of two leak scans', () => {
  it('lists the blocks lost in B that A did not have', { timeout: CHARTS_TIMEOUT }, async () => {
    // The recorded scan of leak_fixture: A held its reachable blocks only, B has its lost Widgets too.
    const scan = leaks.file.items[0] as LeaksDoc
    const a: LeaksDoc = { ...scan, blocks: leaks.reachable.blocks }
    const b: LeaksDoc = { ...scan, takenAt: at(60_000), blocks: [...leaks.reachable.blocks, ...leaks.widgets.blocks] }
    await compareInWorkbench([a], [b])
    await vi.waitFor(() => expect(screen.getByTestId('lost-since')).toBeTruthy())
    expect(Number(screen.getByTestId('lost-since').dataset.blocks)).toBe(leaks.widgets.total)
    const rows = screen.getAllByTestId('diff-lost-since-row')
    expect(rows).toHaveLength(1)
    expect(rows[0].textContent).toMatch(new RegExp(`^definitely-lostWidget40 B${leaks.widgets.total}`))
  })

  it('a size-class suspect says how many lost blocks of its class B’s scan has', { timeout: CHARTS_TIMEOUT }, async () => {
    const scan = leaks.file.items[0] as LeaksDoc
    const a = [heapWalksDoc(scan.pid, [10, 10, 10])]
    const b = [heapWalksDoc(scan.pid, [10, 10, 910], at(60_000)), scan]
    await compareInWorkbench(a, b)
    await vi.waitFor(() => expect(screen.getByTestId('suspect-lost')).toBeTruthy())
    // the scan's lost groups of one size within 65–128 B
    const inClass = scan.groups.filter((g) => g.blockSize !== null && g.blockSize >= 65 && g.blockSize <= 128)
    expect(inClass.length).toBeGreaterThan(0)
    expect(Number(screen.getByTestId('suspect-lost').dataset.blocks)).toBe(inClass.reduce((n, g) => n + g.count, 0))
    expect(screen.getByTestId('suspect-lost').textContent).toContain(`${inClass[0].kind} ${inClass[0].type ?? 'unknown type'}`)
  })
})
