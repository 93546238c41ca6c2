import '../test/layout'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { sample, timelineDoc } from '../../../test-support/testDocs'
import { fakeApi, settle } from '../test/fakeApi'
import { LeakWorkbench } from '../files/LeakWorkbench'
import { CHARTS_TIMEOUT, openedFile } from '../test/testFiles'

afterEach(cleanup)

describe('timeline capture', () => {
  it('starts a capture, draws the samples as they come, flags what grows, and opens the timeline when it ends', { timeout: CHARTS_TIMEOUT }, async () => {
    const host = fakeApi({ 'capture.start': () => ({ captureId: 5, expected: 6 }), 'capture.stop': () => ({ stopped: true }) })
    render(<LeakWorkbench api={host.api} pid={4242} />)
    fireEvent.click(screen.getByTestId('tab-wb-timeline'))
    expect((screen.getByTestId('capture-pid') as HTMLInputElement).value).toBe('4242')
    fireEvent.change(screen.getByTestId('capture-every'), { target: { value: '500ms' } })
    fireEvent.change(screen.getByTestId('capture-for'), { target: { value: '2.5s' } })
    fireEvent.click(screen.getByTestId('capture-start'))
    await settle()
    expect(host.calls).toContainEqual(['capture.start', { pid: 4242, everyMs: 500, forMs: 2500, heap: true }])

    const samples = [0, 1, 2, 3, 4, 5].map((i) => sample(i * 500, { counts: [10, 10 + 200 * i, 10] }))
    samples.slice(0, 4).forEach((s, index) => host.emit('capture.sample', { captureId: 5, index, sample: s, elapsedMs: index * 500, expected: 6, thinned: 0 }))
    expect(screen.getByTestId('capture-progress').textContent).toMatch(/4 of 6 samples/)
    expect(screen.getByTestId('capture').dataset.state).toBe('running')
    const flags = screen.getAllByTestId('trend-flag').map((f) => f.dataset.series)
    expect(flags).toContain('class:33-64')
    expect(screen.getAllByTestId('timeline-chart').map((c) => c.dataset.chart)).toEqual(['memory', 'heap-blocks', 'size-classes', 'threads', 'modules'])

    fireEvent.click(screen.getByTestId('capture-stop'))
    await settle()
    expect(host.calls).toContainEqual(['capture.stop', { captureId: 5 }])
    const file = openedFile(9, 'timeline-pid-4242.snapscope', [timelineDoc(samples.slice(0, 4), 4242)])
    host.emit('capture.ended', { captureId: 5, reason: 'stopped', file })
    expect(screen.getByTestId('capture').dataset.state).toBe('ended')
    expect(screen.getByTestId('capture-progress').textContent).toMatch(/ended: stopped/)
    expect(screen.getByTestId('capture-export')).toBeTruthy()
    fireEvent.click(screen.getByTestId('tab-wb-files'))
    await vi.waitFor(() => expect(screen.getByTestId('open-file').dataset.name).toBe('timeline-pid-4242.snapscope'))
  })

  it('halves its samples as the host halves a full timeline', { timeout: CHARTS_TIMEOUT }, async () => {
    const host = fakeApi({ 'capture.start': () => ({ captureId: 5, expected: 6 }) })
    render(<LeakWorkbench api={host.api} pid={4242} />)
    fireEvent.click(screen.getByTestId('tab-wb-timeline'))
    fireEvent.click(screen.getByTestId('capture-start'))
    await settle()
    // The working set rises steadily only over the samples a halving keeps (0, 2, 4).
    const samples = [10, 900, 200, 900, 400].map((mib, i) => sample(i * 500, { workingSetBytes: mib << 20 }))
    samples.slice(0, 4).forEach((s, index) => host.emit('capture.sample', { captureId: 5, index, sample: s, elapsedMs: index * 500, expected: 6, thinned: 0 }))
    // Full at 4: samples 0 and 2 stay, the next one is the third; the interval doubled, so 4 in all.
    host.emit('capture.sample', { captureId: 5, index: 2, sample: samples[4], elapsedMs: 2000, expected: 4, thinned: 1 })
    expect(screen.getByTestId('capture-progress').textContent).toMatch(/3 of 4 samples/)
    expect(screen.getAllByTestId('trend-flag').map((f) => f.dataset.series)).toContain('workingSet')
  })

  it('says what is wrong with the durations before it starts anything', () => {
    const host = fakeApi()
    render(<LeakWorkbench api={host.api} />)
    fireEvent.click(screen.getByTestId('tab-wb-timeline'))
    fireEvent.change(screen.getByTestId('capture-pid'), { target: { value: '12' } })
    fireEvent.change(screen.getByTestId('capture-every'), { target: { value: 'often' } })
    expect((screen.getByTestId('capture-start') as HTMLButtonElement).disabled).toBe(true)
    expect(screen.getByText('Every: a duration such as 500ms, 10s or 1m.')).toBeTruthy()
    expect(host.calls).toEqual([])
  })
})
