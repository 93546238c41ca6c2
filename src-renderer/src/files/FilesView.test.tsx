import '../test/layout'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MAX_UPLOAD_BYTES } from '../../../src-common/contract/contract'
import { heapWalksDoc, namedWatchDoc, proc, sample, snapshotDoc, symbolsDoc, timelineDoc, watchDoc } from '../../../test-support/testDocs'
import { ApiError } from '../api/connectedApi'
import { fakeApi, settle } from '../test/fakeApi'
import { LeakWorkbench } from './LeakWorkbench'
import { CHARTS_TIMEOUT, catchDownloads, openedFile } from '../test/testFiles'
import { allocs } from '../test/recorded'

afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
})

const choose = (files: File[]) => fireEvent.change(screen.getByTestId('file-input'), { target: { files } })

describe('files', () => {
  it('sends an opened file as one upload request carrying its bytes, and shows what it holds', { timeout: CHARTS_TIMEOUT }, async () => {
    let received: Uint8Array | undefined
    const host = fakeApi({
      'file.upload': (p, options) => {
        received = options.body
        return openedFile(7, p.name, [snapshotDoc([proc(10), proc(11)]), heapWalksDoc(10, [5, 6]), timelineDoc([sample(0), sample(1000), sample(2000)])])
      }
    })
    render(<LeakWorkbench api={host.api} />)
    expect(screen.getByTestId('no-files')).toBeTruthy()
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251)
    choose([new File([bytes], 'big.snapscope')])
    await settle()
    await vi.waitFor(() => expect(screen.getAllByTestId('file-item')).toHaveLength(3))
    expect(host.calls).toEqual([['file.upload', { name: 'big.snapscope', size: bytes.length }]])
    expect(Buffer.from(received!).equals(Buffer.from(bytes))).toBe(true)
    expect(screen.getByTestId('open-file').dataset.name).toBe('big.snapscope')
    expect(screen.getAllByTestId('item-processes-row')).toHaveLength(2)
    expect(screen.getByTestId('item-size-classes')).toBeTruthy()
    expect(screen.getAllByTestId('timeline-chart').length).toBeGreaterThan(0)
  })

  it('names the code of a saved watch and of a symbols item, and shows an older watch by module+offset', async () => {
    const host = fakeApi({ 'file.upload': (p) => openedFile(8, p.name, [namedWatchDoc(), watchDoc(), symbolsDoc()]) })
    render(<LeakWorkbench api={host.api} />)
    choose([new File(['x'], 'names.snapscope')])
    await vi.waitFor(() => expect(screen.getAllByTestId('file-item')).toHaveLength(3))
    const [named, old] = screen.getAllByTestId('item-top-pcs-row').map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))
    expect(named).toEqual(['leak::Pool::grow+0x2a', 'pool.cc:123', 'leaky', '1'])
    expect(old).toEqual(['leaky+0x1000', '', '', '1'])
    const symbols = screen.getAllByTestId('item-symbols-row').map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))
    expect(symbols).toEqual([
      ['0x401000', 'leak::Pool::grow+0x2a', 'pool.cc:123', 'leaky'],
      ['0x401004', 'leaky+0x1004', '', 'leaky']
    ])
  })

  it('says what is wrong with a file the host refuses, and refuses one too large to send', { timeout: CHARTS_TIMEOUT }, async () => {
    const host = fakeApi({
      'file.upload': () => {
        throw new ApiError('EBADFILE', 'broken.snapscope: truncated (the compressed data ends early)')
      }
    })
    render(<LeakWorkbench api={host.api} />)
    choose([new File(['x'], 'broken.snapscope')])
    await vi.waitFor(() => expect(screen.getByTestId('library-error').textContent).toBe('broken.snapscope: truncated (the compressed data ends early)'))
    const huge = new File(['x'], 'huge.snapscope')
    Object.defineProperty(huge, 'size', { value: MAX_UPLOAD_BYTES + 1 })
    choose([huge])
    await vi.waitFor(() => expect(screen.getByTestId('library-error').textContent).toMatch(/^huge\.snapscope: 64\.0 MiB is more than the 64\.0 MiB a file may be here/))
    expect(host.channels().filter((c) => c === 'file.upload')).toHaveLength(1)
  })

  it('takes a snapshot of a process, saves it (redacted on request) and exports its report', { timeout: CHARTS_TIMEOUT }, async () => {
    const downloads = catchDownloads()
    const host = fakeApi({
      'file.take': (p) => openedFile(3, `pid-${p.pid}.snapscope`, [snapshotDoc([proc(p.pid)])]),
      'file.save': (p) => ({ name: p.redact ? 'pid-42-redacted.snapscope' : 'pid-42.snapscope', mime: 'application/gzip', bytes: new TextEncoder().encode('gzip bytes') }),
      'report.export': (p) => ({ files: [{ name: `pid-42.${p.format}`, mime: 'text/html', bytes: new TextEncoder().encode('<html>report</html>') }] })
    })
    render(<LeakWorkbench api={host.api} />)
    fireEvent.change(screen.getByTestId('take-pid'), { target: { value: '42' } })
    fireEvent.click(screen.getByTestId('take'))
    await vi.waitFor(() => expect(screen.getByTestId('file-detail')).toBeTruthy())
    expect(host.calls).toContainEqual(['file.take', { pid: 42, heap: true }])
    fireEvent.click(screen.getByTestId('save-redact'))
    fireEvent.click(screen.getByTestId('save-file'))
    fireEvent.click(screen.getByTestId('file-export-html'))
    await vi.waitFor(() => expect(downloads).toHaveLength(2))
    expect(host.calls).toContainEqual(['file.save', { fileId: 3, redact: true }])
    expect(host.calls).toContainEqual(['report.export', { a: { fileId: 3 }, b: undefined, format: 'html', redact: false }])
    expect(downloads.map((d) => d.name)).toEqual(['pid-42-redacted.snapscope', 'pid-42.html'])
    expect(await downloads[1].text).toBe('<html>report</html>')
  })

  it('shows a recorded allocation trace of alloc_chains and saves it as pprof', { timeout: CHARTS_TIMEOUT }, async () => {
    const downloads = catchDownloads()
    const host = fakeApi({
      'file.upload': (p) => openedFile(3, p.name, allocs.end.file!.items),
      'allocs.pprof': (p) => ({ name: `trace-${p.fileId}.pb.gz`, mime: 'application/gzip', bytes: new TextEncoder().encode('pprof') })
    })
    render(<LeakWorkbench api={host.api} />)
    choose([new File(['x'], 'trace.snapscope')])
    await settle()
    await vi.waitFor(() => expect(screen.getAllByTestId('file-item')).toHaveLength(1))
    const rows = screen.getAllByTestId('item-alloc-stacks-row')
    expect(rows[0].textContent).toMatch(/^leak_c \(alloc_chains\.c:\d+\)58\.6 KiB300leak_c ← leak_b ← leak_a/)
    fireEvent.click(screen.getByTestId('file-pprof'))
    await settle()
    expect(host.calls).toContainEqual(['allocs.pprof', { fileId: 3 }])
    expect(downloads.map((d) => d.name)).toEqual(['trace-3.pb.gz'])
  })
})
