// The Memory tab in browser mode on a real watch_toucher: its regions and totals by kind, then
// Refresh after the fixture touched 256 of its pages shows them grown, in their region and kind.
import fs from 'node:fs'
import { expect, test } from '@playwright/test'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'
import { pageErrors, selectProcess } from '../shared/inspectorViews'
import { serve, type Served } from './serve'

interface Toucher {
  pid: number
  base: string
}

let server: Served
let fixture: RunningFixture<Toucher> | undefined

test.use({ viewport: { width: 1440, height: 900 } })
test.beforeAll(async () => {
  server = await serve()
})
test.afterAll(async () => {
  await fixture?.stop()
  await server?.stop()
})

/** The start of the kernel's mapping holding `address`, as /proc/PID/maps has it. */
function mappingStart(pid: number, address: string): string {
  for (const line of fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    const [start, end] = line.split(' ')[0].split('-')
    if (start && BigInt(`0x${start}`) <= BigInt(address) && BigInt(address) < BigInt(`0x${end}`)) return `0x${BigInt(`0x${start}`).toString(16)}`
  }
  throw new Error(`no mapping of ${pid} holds ${address}`)
}

test('memory map of watch_toucher: regions, totals by kind, and the growth Refresh shows after it touches its pages', async ({ page }) => {
  const errors = pageErrors(page)
  fixture = await startFixture<Toucher>('watch_toucher', ['--pages', '512', '--split', '256'])
  const { pid, base } = fixture.info
  await page.goto(server.url)
  await selectProcess(page, pid)
  await page.getByTestId('tab-memory').click()
  await page.getByTestId('maximize').click()

  await expect(page.getByTestId('memory-count')).toHaveText(/^\d+ regions, read /)
  await expect(page.getByTestId('memory-chart').locator('.recharts-bar-rectangle').first()).toBeVisible()
  const imageRow = page.locator('[data-testid="memory-kind-row"][data-kind="image"]')
  await expect(imageRow.locator('[data-col="resident"]')).toHaveText(/MiB|KiB/)
  await expect(page.locator('[data-testid="memory-row"][data-kind="image"]').first()).toBeVisible()
  const region = page.locator(`[data-testid="memory-row"][data-start="${mappingStart(pid, base)}"]`)
  await expect(region.locator('[data-col="residentGrowth"]')).toHaveText('—')

  const touched = new Promise<void>((ok) => fixture!.proc.stdout!.on('data', (d) => String(d).includes('"done":true') && ok()))
  process.kill(pid, 'SIGUSR1')
  await touched
  await page.getByTestId('memory-refresh').click()
  await expect(page.getByTestId('memory-count')).toContainText('growth since')
  // 256 pages of 4 KiB: at least 1 MiB more resident and private
  await expect(region.locator('[data-col="residentGrowth"]')).toHaveText(/^\+(1\.\d|[2-9]\.\d|\d{2,}(\.\d)?) MiB$/)
  await expect(region.locator('[data-col="privateGrowth"]')).toHaveText(/^\+.* MiB$/)
  const kind = await region.getAttribute('data-kind')
  await expect(page.locator(`[data-testid="memory-kind-row"][data-kind="${kind}"] [data-col="residentGrowth"]`)).toHaveText(/^\+.* MiB$/)
  await page.screenshot({ path: 'e2e-results/memory.png' })
  expect(errors).toEqual([])
})
