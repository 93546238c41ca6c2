import './test/layout'
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Channel, EventName, Events } from '../../src-main/ipc/contract'
import { ApiError, type ConnectedApi, type ConnectionState } from './api/connectedApi'
import { App } from './App'
import { REMOVED_MS } from './processes/processStore'
import { delta, proc, thread } from './test/fixtures'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

/** An in-memory transport: the test plays the host. */
function fakeApi(watchResult: Promise<unknown> = Promise.resolve({ intervalMs: 1000 })) {
  const listeners = new Map<string, Set<(p: never) => void>>()
  const stateListeners = new Set<(s: ConnectionState) => void>()
  let state: ConnectionState = 'connected'
  const calls: [Channel, unknown][] = []
  const api: ConnectedApi = {
    mode: 'browser',
    invoke: ((channel: Channel, payload: unknown) => {
      calls.push([channel, payload])
      if (channel === 'processes.watch') return watchResult
      if (channel === 'app.hello')
        return Promise.resolve({ version: '1', mode: 'browser', host: { os: 'linux', hostname: 'box', arch: 'x64', backend: 'procfs' } })
      return Promise.resolve({ ok: true })
    }) as ConnectedApi['invoke'],
    on: ((event: string, listener: (p: never) => void) => {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event)!.add(listener)
      return () => listeners.get(event)!.delete(listener)
    }) as ConnectedApi['on'],
    connectionState: () => state,
    onConnectionChange: (l) => {
      stateListeners.add(l)
      return () => stateListeners.delete(l)
    }
  }
  const emit = <E extends EventName>(event: E, payload: Events[E]) =>
    act(() => listeners.get(event)?.forEach((l) => l(payload as never)))
  const setState = (s: ConnectionState) =>
    act(() => {
      state = s
      stateListeners.forEach((l) => l(s))
    })
  return { api, calls, emit, setState }
}

const row = (pid: number) => document.querySelector<HTMLElement>(`[data-testid="process-row"][data-pid="${pid}"]`)

describe('App', () => {
  it('watches processes, shows the tree, status, details and threads, and marks changes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const host = fakeApi()
    render(<App api={host.api} />)
    expect(host.calls).toContainEqual(['processes.watch', { intervalMs: 1000 }])
    expect(screen.getByTestId('tree-empty').textContent).toMatch(/Waiting for the first process list/)
    expect(screen.getByTestId('details').textContent).toMatch(/Select a process/)

    host.emit(
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

    host.emit('processes.delta', delta({ seq: 2, added: [proc(3, 1, { exeFile: 'new' })], removed: [2], threadsRemoved: [2, 20] }))
    expect(row(3)!.dataset.state).toBe('added')
    expect(row(2)!.dataset.state).toBe('removed')
    expect(screen.getByTestId('process-exited')).toBeTruthy()
    expect(screen.getByTestId('status').textContent).toContain('2 processes')

    act(() => vi.advanceTimersByTime(REMOVED_MS))
    expect(row(2)).toBeNull()
    expect(row(3)!.dataset.state).toBe('')
    expect(screen.getByTestId('process-exited').textContent).toMatch(/Process 2 exited/)
  })

  it('says what to do when the backend fails', async () => {
    const host = fakeApi(Promise.reject(new ApiError('ENOENT', 'native addon not found')))
    render(<App api={host.api} />)
    const banner = await screen.findByTestId('backend-error')
    expect(banner.textContent).toContain('native addon not found (ENOENT)')
    expect(banner.textContent).toContain('npm run build:native')

    host.emit('processes.delta', delta({ reset: true, added: [proc(1, 0)] }))
    expect(screen.queryByTestId('backend-error')).toBeNull()
    host.emit('processes.error', { code: 'EMFILE', message: 'too many open files' })
    expect(screen.getByTestId('backend-error').textContent).toContain('could not be refreshed: too many open files (EMFILE)')
  })

  it('shows the disconnected state with what to do', () => {
    const host = fakeApi()
    render(<App api={host.api} />)
    host.setState('disconnected')
    expect(screen.getByTestId('disconnected').textContent).toMatch(/Restart npm start.*reload/)
    expect(screen.getByTestId('connection').dataset.state).toBe('disconnected')
  })

  it('unwatches on unmount', () => {
    const host = fakeApi()
    const { unmount } = render(<App api={host.api} />)
    unmount()
    expect(host.calls.at(-1)).toEqual(['processes.unwatch', {}])
  })
})
