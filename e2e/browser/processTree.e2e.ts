import { test, expect } from '@playwright/test'
import { startFixture } from '../../native/test/fixtures'
import { serve, type Served } from './serve'

interface TreeInfo {
  root: number
  processes: { pid: number; parentPid: number; depth: number; tids: number[] }[]
}

let server: Served
test.use({ viewport: { width: 1280, height: 1000 } })
test.beforeAll(async () => {
  server = await serve()
})
test.afterAll(async () => {
  await server?.stop()
})

test('a live fixture tree appears nested, filters by name and pid, and is marked removed when it exits', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  const fixture = await startFixture<TreeInfo>('proc_tree', ['--children', '2', '--threads', '3', '--depth', '2'])
  try {
    const { root, processes } = fixture.info
    expect(processes).toHaveLength(7)
    await page.goto(server.url)
    // The host swapped the token for a session cookie: the address bar and history no longer hold it.
    expect(page.url()).toBe(new URL('/', server.url).href)
    // Give the tree most of the window (the divider moves with the keyboard): the fixture sits under a
    // dozen ancestors (this test's own process chain).
    const divider = page.getByRole('separator', { name: 'Resize the tree and details panes' })
    await divider.focus()
    for (let i = 0; i < 6; i++) await divider.press('ArrowDown')
    await expect(divider).toHaveAttribute('aria-valuenow', '75')

    // Filter by name: the whole fixture tree shows, nested under its root.
    await page.getByTestId('process-filter').fill('proc_tree')
    const rootRow = page.locator(`[data-testid="process-row"][data-pid="${root}"]`)
    await expect(rootRow).toBeVisible({ timeout: 15_000 })
    const rootDepth = Number(await rootRow.getAttribute('data-depth'))
    for (const p of processes) {
      const row = page.locator(`[data-testid="process-row"][data-pid="${p.pid}"]`)
      await expect(row).toBeVisible()
      await expect(row).toHaveAttribute('data-depth', String(rootDepth + p.depth))
      await expect(row.locator('[data-col="threads"]')).toHaveText('3')
    }
    await page.screenshot({ path: 'e2e-results/process-tree.png', fullPage: true })

    // Filter by pid: the one process is there, the unrelated rest of the fixture is not.
    const leaf = processes.find((p) => p.depth === 2)!
    await page.getByTestId('process-filter').fill(String(leaf.pid))
    await expect(page.locator(`[data-testid="process-row"][data-pid="${leaf.pid}"]`)).toBeVisible()
    const sibling = processes.find((p) => p.depth === 2 && p.parentPid !== leaf.parentPid)!
    await expect(page.locator(`[data-testid="process-row"][data-pid="${sibling.pid}"]`)).toHaveCount(0)

    // Select it: details and its threads.
    await page.locator(`[data-testid="process-row"][data-pid="${leaf.pid}"]`).click()
    await expect(page.getByTestId('thread-row')).toHaveCount(3)

    // Exit: the rows are marked removed on the next refresh.
    await page.getByTestId('process-filter').fill('proc_tree')
    await fixture.stop()
    await expect(rootRow).toHaveAttribute('data-state', 'removed', { timeout: 10_000 })
    await page.screenshot({ path: 'e2e-results/process-tree-removed.png', fullPage: true })
  } finally {
    await fixture.stop()
  }
  expect(errors).toEqual([])
})

test('the WebSocket refuses a wrong token', async ({ page }) => {
  const bad = server.url.replace(/token=[^&]+/, 'token=wrong')
  await page.goto(bad)
  await expect(page.getByText(/disconnected|could not connect|refused/i).first()).toBeVisible({ timeout: 10_000 })
  // The page took the token out of the address bar itself (no redirect for a wrong one).
  expect(page.url()).toBe(new URL('/', server.url).href)
})
