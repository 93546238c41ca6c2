import '../test/layout'
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { WatchUpdate } from '../../../src-common/contract/contract'
import { ApiError, type ConnectedApi } from '../api/connectedApi'
import { fakeApi, settle, type Handlers } from '../test/fakeApi'
import { watchUpdates } from '../test/recorded'
import { useWatchController } from './useWatchController'
import { WatchView } from './WatchView'

afterEach(cleanup)

const { pid, updates, query } = watchUpdates
const WATCH_ID = updates[0].watchId

function Harness({ api }: { api: ConnectedApi }) {
  const watch = useWatchController(api)
  return <WatchView api={api} pid={pid} watch={watch} active />
}

function host(extra: Handlers = {}) {
  return fakeApi({
    'watch.start': () => ({ watchId: WATCH_ID, mechanism: 'perf-page-faults' }),
    'watch.stop': () => ({ endReason: 'stopped', durationMs: 0, total: 0, lost: 0 }),
    'watch.query': (q) => ({ ...query, records: query.records.slice(q.offset ?? 0, (q.offset ?? 0) + (q.limit ?? 1000)) }),
    ...extra
  })
}


async function started(h: ReturnType<typeof host>) {
  render(<Harness api={h.api} />)
  expect(screen.getByTestId('watch-empty').textContent).toMatch(/Start a watch to see pid \d+'s page faults/)
  fireEvent.click(screen.getByTestId('watch-start'))
  await settle()
  expect(h.calls).toContainEqual(['watch.start', { pid, mechanism: 'auto' }])
  for (const u of updates) h.emit('watch.update', u)
}

// recharts in jsdom takes about a second a render: generous time, not a performance claim.
describe('WatchView on a recorded watch of watch_toucher', { timeout: 30_000 }, () => {
  it('shows totals, the lost count, faults by module and by address, top PCs and threads', async () => {
    const h = host()
    await started(h)
    const last = updates.at(-1)!
    expect(screen.getByTestId('watch-total').dataset.total).toBe(String(last.total))
    expect(screen.getByTestId('watch-lost').textContent).toBe('Lost 0')
    expect(screen.getByTestId('watch-lost').classList.contains('warn')).toBe(false)
    const legend = screen.getByTestId('rate-legend')
    expect(within(legend).getByText(/watch_toucher/)).toBeTruthy()
    expect(screen.getByTestId('address-legend').textContent).toContain('anon')
    // recharts drew the stacked areas and the sampled points
    expect(screen.getAllByTestId('rate-area').map((a) => a.dataset.series)).toEqual(['s0', 's1'])
    const drawn = screen.getAllByTestId('point-cloud').reduce((n, path) => n + Number(path.dataset.count), 0)
    expect(drawn).toBeGreaterThan(100)
    // the code by name, its module beside it, its pc and module+offset on hover
    const pcs = screen.getAllByTestId('top-pcs-row')
    expect(pcs[0].dataset.label).toMatch(/^touch_pages\+0x[0-9a-f]+$/)
    expect(pcs[0].dataset.note).toBe('watch_toucher')
    expect(pcs[0].querySelector('.label')!.getAttribute('title')).toContain(last.topPcs[0].pc)
    expect(screen.getAllByTestId('thread-faults-row').length).toBeGreaterThanOrEqual(2)
  })

  it('shows the top pcs of a watch whose names have not arrived by module+offset', async () => {
    const h = host()
    await started(h)
    const unnamed: WatchUpdate = {
      ...updates.at(-1)!,
      buckets: [],
      points: { t: [], va: [], region: [], weight: [] },
      topPcs: updates.at(-1)!.topPcs.map(({ pc, symbol, count }) => ({ pc, symbol, count }))
    }
    h.emit('watch.update', unnamed)
    const pcs = screen.getAllByTestId('top-pcs-row')
    expect(pcs[0].dataset.label).toBe(unnamed.topPcs[0].symbol)
    expect(pcs[0].dataset.note).toBeUndefined()
  })

  it('shows a name of code from the process isolated, its bidi controls as escapes', async () => {
    const h = host()
    await started(h)
    const [top, ...rest] = updates.at(-1)!.topPcs
    const evil: WatchUpdate = { ...updates.at(-1)!, buckets: [], points: { t: [], va: [], region: [], weight: [] }, topPcs: [{ ...top, function: 'jit\u202Eexe.gpj', module: 'lib\u202Bx.so' }, ...rest] }
    h.emit('watch.update', evil)
    const label = screen.getAllByTestId('top-pcs-row')[0].querySelector('.label')!
    expect([...label.querySelectorAll('bdi')].map((b) => b.textContent)).toEqual([`jit\\u202Eexe.gpj+0x${top.offset!.toString(16)}`, 'lib\\u202Bx.so'])
    expect(label.getAttribute('title')).not.toMatch(/[\u202A-\u202E]/)
  })

  it('keeps the lost count in sight, in red, when records were dropped', async () => {
    const h = host()
    await started(h)
    const lossy: WatchUpdate = { ...updates.at(-1)!, lost: 1234, buckets: [], points: { t: [], va: [], region: [], weight: [] } }
    h.emit('watch.update', lossy)
    expect(screen.getByTestId('watch-lost').textContent).toBe('Lost 1,234')
    expect(screen.getByTestId('watch-lost').classList.contains('warn')).toBe(true)
  })

  it('pauses: the charts keep their window while the totals move on', async () => {
    const h = host()
    await started(h)
    fireEvent.click(screen.getByTestId('watch-pause'))
    const range = screen.getByTestId('watch-range').textContent
    expect(range).not.toMatch(/live/)
    const later: WatchUpdate = { ...updates.at(-1)!, nowMs: 90_000, total: 99_999, buckets: [], points: { t: [], va: [], region: [], weight: [] } }
    h.emit('watch.update', later)
    expect(screen.getByTestId('watch-range').textContent).toBe(range)
    expect(screen.getByTestId('watch-total').dataset.total).toBe('99999')
    fireEvent.click(screen.getByTestId('watch-pause'))
    expect(screen.getByTestId('watch-range').textContent).toMatch(/^live/)
  })

  it('zooms and pans with the keyboard, and lists the raw records of a selection', async () => {
    const h = host()
    await started(h)
    const charts = screen.getByTestId('watch-charts')
    expect(screen.getByTestId('watch-range').textContent).toBe('live · 0.0 s – 10.0 s')
    fireEvent.keyDown(charts, { key: '+' })
    expect(screen.getByTestId('watch-range').textContent).toBe('2.5 s – 7.5 s')
    fireEvent.keyDown(charts, { key: 'ArrowLeft' })
    expect(screen.getByTestId('watch-range').textContent).toBe('1.3 s – 6.3 s')
    fireEvent.keyDown(charts, { key: 'ArrowLeft' })
    fireEvent.keyDown(charts, { key: 'ArrowLeft' })
    expect(screen.getByTestId('watch-range').textContent).toBe('0.0 s – 5.0 s') // nothing held before the start
    fireEvent.keyDown(charts, { key: 'Escape' })
    expect(screen.getByTestId('watch-range').textContent).toMatch(/^live/)

    fireEvent.keyDown(charts, { key: 'Enter' }) // select the view
    await settle()
    const asked = h.calls.filter(([c]) => c === 'watch.query').map(([, p]) => p)
    expect(asked).toContainEqual({ watchId: WATCH_ID, fromMs: 0, toMs: 10_000, module: undefined, limit: 0 })
    expect(screen.getByTestId('records-caption').textContent).toBe(`${query.matched.toLocaleString()} records between 0.00 s and 10.00 s`)
    expect(screen.queryByTestId('ring-note')).toBeNull() // the ring never wrapped
    const rows = screen.getAllByTestId('record-row')
    expect(rows.length).toBeGreaterThan(10)
    expect(rows.some((r) => r.dataset.symbol?.startsWith('watch_toucher+') && r.dataset.code?.startsWith('touch_pages+0x'))).toBe(true)
    expect(within(screen.getByTestId('top-pcs')).getByText(/selection/)).toBeTruthy()
    fireEvent.click(screen.getByTestId('clear-selection'))
    expect(screen.queryByTestId('watch-records')).toBeNull()
  })

  it('says what to do when the watch cannot start', async () => {
    const h = host({
      'watch.start': () => {
        throw new ApiError('EACCES', `pid ${pid}: perf_event_open: permission denied`)
      }
    })
    render(<Harness api={h.api} />)
    fireEvent.click(screen.getByTestId('watch-start'))
    await settle()
    const error = screen.getByTestId('watch-error')
    expect(error.dataset.code).toBe('EACCES')
    expect(error.textContent).toMatch(/run Snapscope as the user that owns the process, or as root/)
    expect(within(error).getByText('Try again')).toBeTruthy()
  })

  it('stops the watch', async () => {
    const h = host()
    await started(h)
    fireEvent.click(screen.getByTestId('watch-stop'))
    await settle()
    expect(h.calls).toContainEqual(['watch.stop', { watchId: WATCH_ID }])
    expect(screen.getByTestId('watch-status').dataset.phase).toBe('ended')
    expect(screen.getByTestId('watch-start').textContent).toBe('Watch again')
  })
})
