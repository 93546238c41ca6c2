// The Allocations tab in browser mode on the real alloc_chains fixture (built -O1 -g, no frame
// pointers): a live trace while it allocates, its totals, the call tree and flame graph naming
// leak_a > leak_b > leak_c, search, pprof as a download that decodes, and the heap walk's size class
// showing the stack that allocated its blocks.
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { expect, test } from '@playwright/test'
import { Profile } from 'pprof-format'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'
import { pageErrors, selectProcess } from '../shared/inspectorViews'
import { serve, type Served } from './serve'

interface ChainsInfo {
  pid: number
  leakSize: number
  tempSize: number
}
const LEAKS = 300
const TEMPS = 500

let server: Served
let fixture: RunningFixture<ChainsInfo> | undefined

test.use({ viewport: { width: 1440, height: 900 }, acceptDownloads: true })
test.beforeAll(async () => {
  server = await serve()
})
test.afterAll(async () => {
  await fixture?.stop()
  await server?.stop()
})

test('a live allocation trace of alloc_chains: totals, call tree, flame graph, search, pprof, and the size class of its leaks', async ({ page }) => {
  test.setTimeout(120_000)
  const errors = pageErrors(page)
  fixture = await startFixture<ChainsInfo>('alloc_chains', ['--mode', 'chains', '--leaks', String(LEAKS), '--temps', String(TEMPS)], { build: { flags: ['-O1', '-g'], variant: 'O1g' } })
  const { pid, leakSize } = fixture.info
  await page.goto(server.url)
  await selectProcess(page, pid)
  await page.getByTestId('tab-allocs').click()
  await page.getByTestId('maximize').click()
  await expect(page.getByTestId('allocs-empty')).toContainText('without restarting it')
  await page.getByTestId('allocs-start').click()
  await expect(page.getByTestId('allocs-status')).toHaveAttribute('data-phase', 'running', { timeout: 20_000 })

  process.kill(pid, 'SIGUSR1')
  const totals = page.getByTestId('allocs-totals')
  await expect.poll(async () => Number(await totals.getAttribute('data-allocations')), { timeout: 15_000 }).toBeGreaterThanOrEqual(LEAKS + TEMPS)
  await expect(totals).toHaveAttribute('data-leaked-bytes', String(LEAKS * leakSize))
  await expect(page.getByTestId('allocs-lost')).toHaveAttribute('data-lost', '0')
  await expect(page.locator('[data-testid="call-tree-row"][data-name="leak_c"]')).toBeVisible({ timeout: 10_000 })
  await page.screenshot({ path: 'e2e-results/allocs-live.png' })

  await page.getByTestId('allocs-stop').click()
  await expect(page.getByTestId('allocs-status')).toHaveAttribute('data-phase', 'ended', { timeout: 30_000 })
  await expect(totals).toHaveAttribute('data-leaked-bytes', String(LEAKS * leakSize))
  // top-down by leaked bytes: the chain opened from the outermost caller in, and drawn
  const depth = async (name: string) => Number(await page.locator(`[data-testid="call-tree-row"][data-name="${name}"]`).first().getAttribute('data-depth'))
  expect(await depth('leak_b')).toBe((await depth('leak_a')) + 1)
  expect(await depth('leak_c')).toBe((await depth('leak_b')) + 1)
  await expect(page.locator('[data-testid="flame-rect"][data-name="leak_c"]')).toHaveCount(1)
  await page.screenshot({ path: 'e2e-results/allocs-flame.png' })

  // bottom-up by temporary allocations, then a search
  await page.getByTestId('allocs-bottom-up').click()
  await page.getByTestId('allocs-metric').selectOption('temporary')
  await expect(page.getByTestId('call-tree-row').first()).toHaveAttribute('data-name', 'temp_c')
  await page.getByTestId('call-tree-row').first().click()
  await expect(page.getByTestId('allocs-side').getByTestId('stack-item').first()).toContainText(`${TEMPS} temporary`)
  await page.getByTestId('allocs-search').fill('leak_b')
  await expect(page.getByTestId('allocs-matches')).toHaveText(/^1 of \d+ stacks$/)

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('allocs-pprof').click()])
  expect(download.suggestedFilename()).toMatch(/\.pb\.gz$/)
  const profile = Profile.decode(gunzipSync(readFileSync((await download.path())!)))
  const names = profile.function.map((f) => profile.stringTable.strings[Number(f.name)])
  expect(names).toEqual(expect.arrayContaining(['leak_a', 'leak_b', 'leak_c', 'temp_c']))

  // the heap walk: the class of the 200-byte leaks lists the chain that allocated them
  await page.getByTestId('tab-heaps').click()
  await page.locator('[data-testid="heap-row"][data-kind="main-arena"]').dblclick()
  await expect(page.getByTestId('walk-summary')).toBeVisible({ timeout: 20_000 })
  await page.getByTestId('filter-min').fill('129')
  await page.getByTestId('filter-max').fill('256')
  await page.getByTestId('filter-apply').click()
  const stacks = page.getByTestId('size-class-stacks')
  await expect(stacks.getByTestId('stack-item').first()).toContainText('leak_c ← leak_b ← leak_a')
  await expect(stacks.getByTestId('stack-item').first()).toContainText(`${LEAKS} allocations`)
  await page.screenshot({ path: 'e2e-results/allocs-size-class.png' })
  expect(errors).toEqual([])
})
