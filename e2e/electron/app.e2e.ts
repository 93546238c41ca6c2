import { test, expect, _electron as electron } from '@playwright/test'
import { join } from 'node:path'

// A plain CommonJS helper shared with scripts/start.mjs.
const { electronBinary } = require('../../scripts/electron-binary.cjs') as {
  electronBinary(): { path: string | null; reason: string | null }
}
const { path: binary, reason } = electronBinary()
if (!binary) console.log(`Electron e2e skipped: ${reason}`)
test.skip(!binary, `Electron e2e skipped: ${reason}`)

test('the Electron window shows the live process tree through IPC', async () => {
  const app = await electron.launch({
    executablePath: binary!,
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), join(__dirname, '..', '..')]
  })
  try {
    const page = await app.firstWindow()
    expect(await page.evaluate(() => typeof (window as unknown as { snapscope?: unknown }).snapscope)).toBe('object')
    await expect(page.locator(`[data-testid="process-row"]`).first()).toBeVisible({ timeout: 15_000 })
    await page.screenshot({ path: 'e2e-results/electron.png' })
  } finally {
    await app.close()
  }
})
