import './test/layout'
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from './api/connectedApi'
import { App } from './App'
import { ADDED_MS, REMOVED_MS } from './processes/processStore'
import { fakeApi } from './test/fakeApi'
import { delta, proc, thread } from './test/fixtures'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

/** The host of these tests: a process watch that answers `watchResult`, and a hello. */
const host = (watchResult: Promise<unknown> = Promise.resolve({ intervalMs: 1000 })) =>
  fakeApi({
    'processes.watch': () => watchResult as Promise<{ intervalMs: number }>,
    'app.hello': () => ({ version: '1', mode: 'browser', host: { os: 'linux', hostname: 'box', arch: 'x64', backend: 'procfs' }, elevated: false })
  })

const row = (pid: number) => document.querySelector<HTMLElement>(`[data-testid="process-row"][data-pid="${pid}"]`)

describe('App', () => {
  it('watches processes, shows the tree, status, details and threads, and marks changes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const h = host()
    render(<App api={h.api} />)
    expect(h.calls).toContainEqual(['processes.watch', { intervalMs: 1000 }])
    expect(screen.getByTestId('tree-empty').textContent).toMatch(/Waiting for the first process list/)
    expect(screen.getByTestId('details').textContent).toMatch(/Select a process/)

    h.emit(
      'processes.delta',
      delta({
        reset: true,
        added: [proc(1, 0, { exeFile: 'init', threadCount: 1 }), proc(2, 1, { exeFile: 'worker', threadCount: 2 })],
        threadsAdded: [thread(1, 1), thread(2, 2), thread(20, 2)],
        durationMs: 7
      })
    )
    expect(row(2)!.dataset.depth).toBe('1')
    const status = screen.getByTestId('status').textContent!
    expect(status).toContain('2 processes')
    expect(status).toContain('3 threads')
    expect(status).toContain('in 7 ms')
    expect(screen.getByTestId('connection').dataset.state).toBe('connected')

    fireEvent.click(row(2)!)
    expect(screen.getByTestId('details').textContent).toContain('worker')
    expect(screen.getAllByTestId('thread-row').map((r) => r.dataset.tid)).toEqual(['2', '20'])

    h.emit('processes.delta', delta({ seq: 2, added: [proc(3, 1, { exeFile: 'new' })], removed: [2], threadsRemoved: [2, 20] }))
    expect(row(3)!.dataset.state).toBe('added')
    expect(row(2)!.dataset.state).toBe('removed')
    expect(screen.getByTestId('process-exited')).toBeTruthy()
    expect(screen.getByTestId('status').textContent).toContain('2 processes')

    // Each marking window ends on its own timer: the added mark first, then the exited row.
    act(() => vi.advanceTimersByTime(ADDED_MS))
    expect(row(3)!.dataset.state).toBe('')
    expect(row(2)!.dataset.state).toBe('removed')
    act(() => vi.advanceTimersByTime(REMOVED_MS - ADDED_MS))
    expect(row(2)).toBeNull()
    expect(screen.getByTestId('process-exited').textContent).toMatch(/Process 2 exited/)
  })

  it('says what to do when the backend fails', async () => {
    const h = host(Promise.reject(new ApiError('ENOENT', 'native addon not found')))
    render(<App api={h.api} />)
    const banner = await screen.findByTestId('backend-error')
    expect(banner.textContent).toContain('native addon not found (ENOENT)')
    expect(banner.textContent).toContain('npm run build:native')

    h.emit('processes.delta', delta({ reset: true, added: [proc(1, 0)] }))
    expect(screen.queryByTestId('backend-error')).toBeNull()
    h.emit('processes.error', { code: 'EMFILE', message: 'too many open files' })
    expect(screen.getByTestId('backend-error').textContent).toContain('could not be refreshed: too many open files (EMFILE)')
  })

  it('shows the disconnected state with what to do', () => {
    const h = host()
    render(<App api={h.api} />)
    h.setConnection('disconnected')
    expect(screen.getByTestId('disconnected').textContent).toMatch(/Restart npm start.*open the URL/)
    expect(screen.getByTestId('connection').dataset.state).toBe('disconnected')
  })

  it('unsubscribes from the process list on unmount', () => {
    const h = host()
    const { unmount } = render(<App api={h.api} />)
    expect(h.subscribed('processes.watch')).toBe(1)
    unmount()
    expect(h.subscribed('processes.watch')).toBe(0)
  })
})
