import '../test/layout'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { compare } from '../../../src-common/model/diff/diff'
import { makeFile } from '../../../src-main/core/files/snapshotFile'
import { HOST, at, heapWalksDoc, proc, snapshotDoc } from '../../../test-support/testDocs'
import { fakeApi, settle } from '../test/fakeApi'
import { LeakWorkbench } from '../files/LeakWorkbench'
import { CHARTS_TIMEOUT, openedFile } from '../test/testFiles'
import { allocs } from '../test/recorded'
import type { AllocsDoc } from '../../../src-common/contract/allocTypes'

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
