// The Leaks tab in browser mode on leak_fixture, which writes each block's address and verdict: a scan
// from the app finds its lost Widgets by class name, a lost block previews as its bytes, and a
// reachable Widget is pointed at from static data (the fixture's global).
import { expect, test } from '@playwright/test'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'
import { pageErrors, selectProcess } from '../shared/inspectorViews'
import { serve, type Served } from './serve'

let server: Served
let fixture: RunningFixture<{ pid: number }> | undefined

test.use({ viewport: { width: 1440, height: 900 } })
test.beforeAll(async () => {
  server = await serve()
})
test.afterAll(async () => {
  await fixture?.stop()
  await server?.stop()
})

test('a leak scan of leak_fixture from the app: the lost Widgets by name, a preview, who points at a kept one, lost since an earlier scan', async ({ page }) => {
  const errors = pageErrors(page)
  const truthFile = join(mkdtempSync(join(tmpdir(), 'snapscope-leaks-')), 'truth.txt')
  fixture = await startFixture<{ pid: number }>('leak_fixture', ['--truth', truthFile])
  const truth = readFileSync(truthFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' '))
  const lostWidgets = truth.filter(([, kind, type]) => kind === 'definitely-lost' && type === 'Widget').map(([a]) => `0x${a.replace(/^0x/, '')}`)
  expect(lostWidgets.length).toBeGreaterThan(0)

  await page.goto(server.url)
  await selectProcess(page, fixture.info.pid)
  await page.getByTestId('tab-leaks').click()
  await page.getByTestId('maximize').click()
  await page.getByTestId('leak-scan').click()
  await expect(page.getByTestId('leak-summary')).toBeVisible({ timeout: 30_000 })
  await expect(page.getByTestId('leak-stopped')).toContainText(/stopped for [\d.]+ ms/)
  const definitely = page.locator('[data-testid="leak-summary-row"][data-kind="definitely-lost"]')
  expect(Number(await definitely.getAttribute('data-blocks'))).toBe(truth.filter(([, kind]) => kind === 'definitely-lost').length)

  // the group of lost Widgets, named from their vtables; its blocks are the ones the fixture lost
  const widgets = page.locator('[data-testid="leak-group-row"][data-kind="definitely-lost"][data-type="Widget"]')
  await expect(widgets).toHaveCount(1)
  await expect(widgets.locator('[data-col="type"]')).toHaveText('Widget')
  await widgets.click()
  await expect(page.getByTestId('leak-block-count')).toHaveAttribute('data-count', String(lostWidgets.length))
  const rows = page.getByTestId('leak-block-row')
  await expect(rows).toHaveCount(lostWidgets.length)
  expect((await rows.evaluateAll((r) => r.map((e) => (e as HTMLElement).dataset.address!))).sort()).toEqual([...lostWidgets].sort())

  // the lost string, previewed as its text
  await page.locator('[data-testid="leak-group-row"][data-type="string"]').click()
  await page.getByTestId('leak-block-row').first().click()
  await expect(page.getByTestId('leak-preview')).toContainText('a lost string of')
  await page.getByTestId('leak-referrers-ask').click()
  await expect(page.getByTestId('leak-referrers-none')).toBeVisible({ timeout: 20_000 })

  // a kept Widget: pointed at from static data
  await page.getByTestId('leak-show-reachable').click()
  await page.locator('[data-testid="leak-block-row"][data-type="Widget"]').first().click()
  await expect(page.getByTestId('leak-preview')).toBeVisible()
  await page.getByTestId('leak-referrers-ask').click()
  await expect(page.locator('[data-testid="leak-referrer"][data-source="static"]')).toHaveCount(1, { timeout: 20_000 })
  await page.screenshot({ path: 'e2e-results/leaks.png' })

  // each scan is a file of the window: two scans of one process compare as "lost since A" (nothing new here)
  await page.getByTestId('leak-scan').click()
  await expect(page.getByTestId('leak-stopped')).toBeVisible({ timeout: 30_000 })
  await page.getByTestId('tab-main-leaks').click()
  await expect(page.locator('[data-testid="open-file"][data-name^="leaks-pid-"]')).toHaveCount(2)
  await page.getByTestId('tab-wb-compare').click()
  await page.getByTestId('compare-run').click()
  await expect(page.getByTestId('lost-since')).toHaveAttribute('data-blocks', '0')
  expect(errors).toEqual([])
})
