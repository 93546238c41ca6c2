import '../test/layout'
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { App } from '../App'
import { fakeApi, settle } from '../test/fakeApi'
import { delta } from '../test/fixtures'
import { snapshot } from '../test/recorded'
import { ThemeProvider } from '../theme/ThemeContext'

afterEach(() => {
  cleanup()
  localStorage.clear()
})

const [fixture] = snapshot.processes

function host() {
  return fakeApi({
    'app.hello': () => ({ version: '1', mode: 'browser', host: snapshot.host, elevated: true }),
    'processes.watch': (p) => ({ intervalMs: p.intervalMs }),
    'process.details': (p) => ({ pid: p.pid, privateBytes: 6_815_744, peakWorkingSetBytes: 8_282_112 }),
    'snapshot.take': () => snapshot,
    'heap.walk': () => ({ format: 'snapscope.heapwalks/1', pid: fixture.pid, takenAt: '', stopped: false, heaps: [], errors: [] })
  })
}

async function shown(h = host()) {
  render(
    <ThemeProvider>
      <App api={h.api} />
    </ThemeProvider>
  )
  h.emit('processes.delta', delta({ reset: true, added: [fixture], threadsAdded: snapshot.threads }))
  fireEvent.click(document.querySelector(`[data-testid="process-row"][data-pid="${fixture.pid}"]`)!)
  await settle()
  return h
}

const selectedTab = () => screen.getAllByRole('tab', { selected: true }).map((t) => t.dataset.testid)

describe('Inspector', () => {
  it('shows private bytes and the other extras of the selected process', async () => {
    const h = await shown()
    expect(h.calls).toContainEqual(['process.details', { pid: fixture.pid }])
    const field = (name: string) => document.querySelector(`[data-field="${name}"] dd`)!.textContent
    expect(field('Private bytes')).toBe('6.5 MiB')
    expect(field('Peak working set')).toBe('7.9 MiB')
    expect(field('Virtual size')).toBe('not available')
    expect(screen.getAllByTestId('thread-row')).toHaveLength(snapshot.threads.length)
  })

  it('moves between tabs with the arrow keys and Alt+digit, reading modules and heaps once', async () => {
    const h = await shown()
    expect(selectedTab()).toContain('tab-general')
    fireEvent.keyDown(screen.getByTestId('tab-general'), { key: 'ArrowRight' })
    await settle()
    expect(selectedTab()).toContain('tab-modules')
    expect(screen.getAllByTestId('module-row')).toHaveLength(snapshot.modules.length)
    fireEvent.keyDown(window, { key: '3', altKey: true })
    await settle()
    expect(selectedTab()).toContain('tab-heaps')
    expect(screen.getAllByTestId('heap-row')).toHaveLength(snapshot.heapLists.length)
    fireEvent.keyDown(window, { key: '4', altKey: true })
    expect(selectedTab()).toContain('tab-memory')
    fireEvent.keyDown(window, { key: '5', altKey: true })
    expect(screen.getByTestId('watch-empty').textContent).toMatch(/Start a watch/)
    fireEvent.keyDown(window, { key: '6', altKey: true })
    expect(selectedTab()).toContain('tab-allocs')
    fireEvent.keyDown(window, { key: '7', altKey: true })
    expect(screen.getByTestId('leak-empty').textContent).toMatch(/Scan pid \d+ for heap blocks/)
    expect(h.calls.filter(([c]) => c === 'snapshot.take')).toHaveLength(1)
  })

  it('maximizes the inspector and brings the tree back', async () => {
    await shown()
    fireEvent.click(screen.getByTestId('maximize'))
    expect(screen.getByTestId('process-tree').closest('.split-pane')!.hasAttribute('hidden')).toBe(true)
    fireEvent.click(screen.getByTestId('maximize'))
    expect(screen.getByTestId('process-tree').closest('.split-pane')!.hasAttribute('hidden')).toBe(false)
  })

  it('switches between the system, light and dark themes, and remembers the choice', async () => {
    await shown()
    const toggle = screen.getByTestId('theme-toggle')
    expect(toggle.textContent).toBe('Theme: system')
    expect(document.documentElement.dataset.theme).toBe('light') // jsdom: no dark preference
    fireEvent.click(toggle)
    fireEvent.click(toggle)
    expect(toggle.textContent).toBe('Theme: dark')
    expect(document.documentElement.dataset.theme).toBe('dark')
    expect(localStorage.getItem('snapscope.theme')).toBe('dark')
    fireEvent.click(toggle)
    expect(within(screen.getByTestId('status')).getByTestId('theme-toggle').textContent).toBe('Theme: system')
  })
})
