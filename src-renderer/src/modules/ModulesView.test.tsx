import '../test/layout'
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PidSnapshot } from '../inspector/usePidSnapshot'
import { fakeApi, settle } from '../test/fakeApi'
import { snapshot, watchUpdates } from '../test/recorded'
import { idleWatch, recordedWatch } from '../test/watchStub'
import { ModulesView } from './ModulesView'

afterEach(cleanup)

const loaded = (modules = snapshot.modules, pid = snapshot.targetPid!): PidSnapshot => ({
  snapshot: { ...snapshot, targetPid: pid, modules },
  problem: null,
  loading: false,
  refresh: vi.fn()
})
const names = () => screen.getAllByTestId('module-row').map((r) => r.dataset.module)
const header = (col: string) => screen.getByTestId(`module-table-sort-${col}`)

describe('ModulesView on the recorded modules of heap_fixture', () => {
  it('lists every module with base, end, size and path, in address order', () => {
    render(<ModulesView api={fakeApi().api} pid={snapshot.targetPid!} snapshot={loaded()} watch={idleWatch()} active onStartWatch={() => {}} />)
    expect(screen.getByTestId('module-count').textContent).toBe(`${snapshot.modules.length} modules`)
    const byBase = [...snapshot.modules].sort((a, b) => Number(a.baseAddress) - Number(b.baseAddress)).map((m) => m.moduleName)
    expect(names()).toEqual(byBase)
    const libc = screen.getAllByTestId('module-row').find((r) => r.dataset.module === 'libc.so.6')!
    const entry = snapshot.modules.find((m) => m.moduleName === 'libc.so.6')!
    expect(libc.querySelector('[data-col="base"]')!.textContent).toBe(entry.baseAddress)
    expect(libc.querySelector('[data-col="end"]')!.textContent).toBe('0x' + (BigInt(entry.baseAddress) + BigInt(entry.baseSize)).toString(16))
    expect(libc.querySelector('[data-col="path"]')!.textContent).toBe(entry.exePath)
    expect(libc.querySelector('[data-col="faults"]')!.textContent).toBe('—')
  })

  it('sorts by a header and filters by name or path', () => {
    render(<ModulesView api={fakeApi().api} pid={snapshot.targetPid!} snapshot={loaded()} watch={idleWatch()} active onStartWatch={() => {}} />)
    fireEvent.click(header('size'))
    const sizes = screen.getAllByTestId('module-row').map((r) => snapshot.modules.find((m) => m.moduleName === r.dataset.module)!.baseSize)
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b))
    fireEvent.click(header('size'))
    expect(header('size').parentElement!.getAttribute('aria-sort')).toBe('descending')

    fireEvent.change(screen.getByTestId('module-filter'), { target: { value: 'x86_64-linux-gnu' } })
    expect(names().sort()).toEqual(['ld-linux-x86-64.so.2', 'libc.so.6'])
    fireEvent.change(screen.getByTestId('module-filter'), { target: { value: 'no-such-thing' } })
    expect(screen.getByTestId('modules-empty').textContent).toMatch(/No module matches “no-such-thing”. Esc clears the filter./)
    fireEvent.keyDown(screen.getByTestId('module-filter'), { key: 'Escape' })
    expect(names()).toHaveLength(snapshot.modules.length)
  })

  it('selects with the keyboard; without a watch it offers to start one', () => {
    const start = vi.fn()
    render(<ModulesView api={fakeApi().api} pid={snapshot.targetPid!} snapshot={loaded()} watch={idleWatch()} active onStartWatch={start} />)
    const table = screen.getByTestId('module-table')
    fireEvent.keyDown(table, { key: 'ArrowDown' })
    fireEvent.keyDown(table, { key: 'ArrowDown' })
    const second = screen.getAllByTestId('module-row')[1]
    expect(second.getAttribute('aria-selected')).toBe('true')
    const panel = screen.getByTestId('module-faults')
    expect(panel.textContent).toContain(second.dataset.module)
    fireEvent.click(within(panel).getByText('Start a watch'))
    expect(start).toHaveBeenCalledOnce()
  })

  it('shows the faults that hit a module while its process is watched', async () => {
    const h = fakeApi({ 'watch.query': () => watchUpdates.moduleQuery })
    render(<ModulesView api={h.api} pid={watchUpdates.pid} snapshot={loaded(watchUpdates.modules, watchUpdates.pid)} watch={recordedWatch()} active onStartWatch={() => {}} />)
    const row = screen.getAllByTestId('module-row').find((r) => r.dataset.module === 'watch_toucher')!
    const expected = watchUpdates.updates.at(-1)!.byModule.find((m) => m.module === 'watch_toucher')!.count
    expect(row.querySelector('[data-col="faults"]')!.textContent).toBe(expected.toLocaleString())
    fireEvent.click(row)
    await settle()
    expect(h.calls).toContainEqual(['watch.query', { watchId: watchUpdates.updates[0].watchId, module: 'watch_toucher', limit: 0 }])
    expect(screen.getByTestId('module-fault-count').textContent).toBe(expected.toLocaleString())
    const pcs = screen.getAllByTestId('module-top-pcs-row')
    // by the name of the code, the module beside it
    expect(pcs[0].dataset.label).toMatch(/^touch_pages\+0x[0-9a-f]+$/)
    expect(pcs[0].dataset.note).toBe('watch_toucher')
    expect(pcs[0].textContent).toContain('touch_pages+0x')
  })

  it('says what to do when the modules cannot be read', () => {
    const failed: PidSnapshot = { snapshot: null, problem: { code: 'EACCES', message: 'pid 1: /proc/1/maps: permission denied' }, loading: false, refresh: vi.fn() }
    render(<ModulesView api={fakeApi().api} pid={1} snapshot={failed} watch={idleWatch()} active onStartWatch={() => {}} />)
    const error = screen.getByTestId('modules-error')
    expect(error.textContent).toMatch(/Reading the modules of pid 1 failed: .*permission denied.*EACCES/)
    expect(error.textContent).toMatch(/run Snapscope as the user that owns the process, or as root/)
    fireEvent.click(within(error).getByText('Try again'))
    expect(failed.refresh).toHaveBeenCalledOnce()
  })
})
