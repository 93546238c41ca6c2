// The inspector views checked on real fixture processes, whatever hosts the renderer: the page of
// browser mode (e2e/browser/views.e2e.ts) or the Electron window (e2e/electron/app.e2e.ts).
import { expect, type Page } from '@playwright/test'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'

export interface HeapInfo {
  pid: number
  live: { ptr: string; size: number }[]
  extra: number
}
export interface ToucherInfo {
  pid: number
  pages: number
  split: number
}

// enough rows (22 px each) for the table's scaled scrollbar (VirtualList's MAX_BODY_PX is 8 M px)
const EXTRA_BLOCKS = 400_000

/** heap_fixture with EXTRA_BLOCKS 24-byte blocks besides the pointers it prints */
export const startHeapFixture = (): Promise<RunningFixture<HeapInfo>> => startFixture<HeapInfo>('heap_fixture', ['--blocks', String(EXTRA_BLOCKS)])

/** watch_toucher: touches half its pages on SIGUSR1 (thread A), the other half on SIGUSR2 (thread B) */
export const startToucher = (): Promise<RunningFixture<ToucherInfo>> => startFixture<ToucherInfo>('watch_toucher', ['--pages', '8192', '--split', '4096'])

/** Uncaught errors and console errors of the page, to expect none at the end. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  return errors
}

/** Finds `pid` in the process tree (by the filter) and selects it. */
export async function selectProcess(page: Page, pid: number): Promise<void> {
  await page.getByTestId('process-filter').fill(String(pid))
  const row = page.locator(`[data-testid="process-row"][data-pid="${pid}"]`)
  await expect(row).toBeVisible({ timeout: 15_000 })
  await row.click()
}

/** Modules of heap_fixture, then a walk of its main arena: its blocks, its live pointers, the last block. Screenshots are named `shots` + view. */
export async function checkModulesAndHeapWalk(page: Page, { pid, live }: HeapInfo, shots = ''): Promise<void> {
  await selectProcess(page, pid)
  // The General tab's figures from the addon's processMemory (process.details).
  for (const field of ['Private bytes', 'Peak working set', 'Virtual size'])
    await expect(page.locator(`[data-field="${field}"] dd`)).toHaveText(/MiB|KiB|GiB/)

  await page.getByTestId('tab-modules').click()
  const modules = page.getByTestId('module-row')
  await expect(modules.filter({ has: page.locator('[data-col="name"]', { hasText: /^heap_fixture$/ }) })).toHaveCount(1)
  await expect(modules.filter({ has: page.locator('[data-col="name"]', { hasText: /^libc\.so\.6$/ }) })).toHaveCount(1)
  await modules.filter({ hasText: 'libc.so.6' }).click()
  await expect(page.getByTestId('module-faults')).toContainText('libc.so.6')
  await page.screenshot({ path: `e2e-results/${shots}modules.png` })

  await page.getByTestId('tab-heaps').click()
  await page.getByTestId('maximize').click()
  const mainArena = page.locator('[data-testid="heap-row"][data-kind="main-arena"]')
  await expect(mainArena.locator('[data-col="blocks"]')).toHaveText(/\d/)
  await mainArena.dblclick()
  const summary = page.getByTestId('walk-summary')
  await expect(summary).toBeVisible({ timeout: 20_000 })
  // The fixture holds EXTRA_BLOCKS 24-byte blocks plus the pointers it printed: all in use.
  const usedBlocks = Number(await summary.getAttribute('data-used-blocks'))
  expect(usedBlocks).toBeGreaterThanOrEqual(EXTRA_BLOCKS)
  await page.getByTestId('filter-min').fill('17')
  await page.getByTestId('filter-max').fill('32')
  await page.getByTestId('filter-used').click()
  await page.getByTestId('filter-apply').click()
  await expect.poll(async () => Number(await page.getByTestId('block-count').getAttribute('data-count'))).toBeGreaterThanOrEqual(EXTRA_BLOCKS)
  await page.getByTestId('filter-clear').click()

  // A pointer the fixture holds (in the main arena: the main thread's 3000-byte block) is a used block of at least its size.
  const ptr = live.find((l) => l.size === 3000)!
  await page.getByTestId('goto-address').fill(ptr.ptr)
  await page.getByTestId('goto-submit').click()
  const selected = page.locator('[data-testid="block-row"][aria-selected="true"]')
  await expect(selected).toHaveAttribute('data-address', ptr.ptr)
  await expect(selected).toHaveAttribute('data-flags', 'fixed')
  await expect(selected).toBeInViewport({ ratio: 1 })
  expect(Number((await selected.locator('[data-col="size"]').textContent())!.replace(/\D/g, ''))).toBeGreaterThanOrEqual(ptr.size)
  await page.screenshot({ path: `e2e-results/${shots}heap-walk.png` })

  // The last block, through the whole scaled table.
  await page.getByTestId('block-table').press('End')
  const blocks = Number(await summary.getAttribute('data-blocks'))
  await expect(page.locator(`[data-testid="block-row"][data-index="${blocks - 1}"]`)).toBeInViewport({ ratio: 1 })
  await expect(page.locator(`[data-testid="block-row"][data-index="${blocks - 1}"]`)).toHaveAttribute('data-flags', 'free') // glibc's top chunk
}

/** A live watch of watch_toucher: the chart moves, the top PC lands in the fixture, a selection lists its records. */
export async function checkWatch(page: Page, { pid, pages }: ToucherInfo, shots = ''): Promise<void> {
  await selectProcess(page, pid)
  await page.getByTestId('tab-watch').click()
  await page.getByTestId('maximize').click()
  await expect(page.getByTestId('watch-empty')).toContainText('Start a watch')
  await page.getByTestId('watch-start').click()
  await expect(page.getByTestId('watch-status')).toHaveAttribute('data-phase', 'running')

  const total = async () => Number(await page.getByTestId('watch-total').getAttribute('data-total'))
  process.kill(pid, 'SIGUSR1')
  await expect.poll(total, { timeout: 15_000 }).toBeGreaterThanOrEqual(pages / 2)
  await page.waitForTimeout(1200)
  process.kill(pid, 'SIGUSR2')
  await expect.poll(total, { timeout: 15_000 }).toBeGreaterThanOrEqual(pages)
  await expect(page.getByTestId('watch-lost')).toBeVisible()

  // The charts moved: faults stacked under the fixture's module, points over its region.
  await expect(page.getByTestId('rate-legend').locator('[data-module="watch_toucher"]')).toBeVisible()
  await expect.poll(async () => {
    const counts = await page.getByTestId('point-cloud').evaluateAll((paths) => paths.map((p) => Number((p as HTMLElement).dataset.count)))
    return counts.reduce((a, b) => a + b, 0)
  }).toBeGreaterThan(100)
  // The top pc by the name of its function (named while the watch runs), the module beside it.
  await expect(page.getByTestId('top-pcs-row').first()).toHaveAttribute('data-label', /^touch_pages\+0x[0-9a-f]+$/)
  await expect(page.getByTestId('top-pcs-row').first()).toHaveAttribute('data-note', 'watch_toucher')
  // Thread A, and thread B started by SIGUSR2.
  await expect.poll(() => page.getByTestId('thread-faults-row').count()).toBeGreaterThanOrEqual(2)
  await page.screenshot({ path: `e2e-results/${shots}watch.png` })

  // Drag across the busy part of the rate chart: the records of that window.
  await page.getByTestId('watch-pause').click()
  const plot = (await page.getByTestId('rate-chart-plot').boundingBox())!
  await page.mouse.move(plot.x + 60, plot.y + 40)
  await page.mouse.down()
  await page.mouse.move(plot.x + plot.width - 20, plot.y + 60, { steps: 8 })
  await page.mouse.up()
  await expect(page.getByTestId('records-caption')).toContainText('records between')
  await expect(page.locator('[data-testid="record-row"][data-symbol^="watch_toucher+"][data-code^="touch_pages+0x"]').first()).toBeVisible()
  await expect(page.getByTestId('top-pcs')).toContainText('selection')
  await page.screenshot({ path: `e2e-results/${shots}watch-selection.png` })

  // The same view in the dark theme.
  await page.getByTestId('clear-selection').click()
  while ((await page.getByTestId('theme-toggle').getAttribute('data-choice')) !== 'dark') await page.getByTestId('theme-toggle').click()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await page.screenshot({ path: `e2e-results/${shots}watch-dark.png` })

  await page.getByTestId('watch-stop').click()
  await expect(page.getByTestId('watch-status')).toHaveAttribute('data-phase', 'ended')
}
