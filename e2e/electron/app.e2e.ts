import { test, expect, _electron as electron, type ElectronApplication } from '@playwright/test'
import { join } from 'node:path'
import { checkModulesAndHeapWalk, checkWatch, pageErrors, startHeapFixture, startToucher } from '../shared/inspectorViews'

// A plain CommonJS helper shared with scripts/start.mjs.
const { electronBinary } = require('../../scripts/electron-binary.cjs') as {
  electronBinary(): { path: string | null; reason: string | null }
}
const { path: binary, reason } = electronBinary()
if (!binary) console.log(`Electron e2e skipped: ${reason}`)
test.skip(!binary, `Electron e2e skipped: ${reason}`)

const launch = (): Promise<ElectronApplication> =>
  electron.launch({
    executablePath: binary!,
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), join(__dirname, '..', '..')]
  })

test('the Electron window shows the live process tree through IPC', async () => {
  const app = await launch()
  try {
    const page = await app.firstWindow()
    expect(await page.evaluate(() => typeof (window as unknown as { snapscope?: unknown }).snapscope)).toBe('object')
    await expect(page.locator(`[data-testid="process-row"]`).first()).toBeVisible({ timeout: 15_000 })
    await page.screenshot({ path: 'e2e-results/electron.png' })
  } finally {
    await app.close()
  }
})

// The same views as in browser mode, over Electron IPC (invoke + heap.progress / watch.update events).
test('the Electron window walks a heap and charts a live watch of real fixtures', async () => {
  const heap = await startHeapFixture()
  const toucher = await startToucher()
  const app = await launch()
  try {
    const page = await app.firstWindow()
    const errors = pageErrors(page)
    await checkModulesAndHeapWalk(page, heap.info, 'electron-')
    await page.getByTestId('maximize').click() // back to the tree, to select the next fixture
    await checkWatch(page, toucher.info, 'electron-')
    expect(errors).toEqual([])
  } finally {
    await app.close()
    await heap.stop()
    await toucher.stop()
  }
})
