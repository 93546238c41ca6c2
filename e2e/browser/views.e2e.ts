// The inspector views in browser mode, on real fixture processes: modules, a heap walk that finds
// the fixture's own blocks, and a live watch that moves as the fixture touches its pages.
import { expect, test } from '@playwright/test'
import type { RunningFixture } from '../../native/test/fixtures'
import { checkModulesAndHeapWalk, checkWatch, pageErrors, startHeapFixture, startToucher } from '../shared/inspectorViews'
import { serve, type Served } from './serve'

let server: Served
const fixtures: RunningFixture<unknown>[] = []

test.use({ viewport: { width: 1440, height: 900 } })
test.beforeAll(async () => {
  server = await serve()
})
test.afterAll(async () => {
  for (const f of fixtures.splice(0)) await f.stop()
  await server?.stop()
})

test('modules and a heap walk of heap_fixture: its blocks, its live pointers, a million-row-capable table', async ({ page }) => {
  const errors = pageErrors(page)
  const fixture = await startHeapFixture()
  fixtures.push(fixture)
  await page.goto(server.url)
  await checkModulesAndHeapWalk(page, fixture.info)
  expect(errors).toEqual([])
})

test('a live watch of watch_toucher: the chart moves, the top PC lands in the fixture, a selection lists its records', async ({ page }) => {
  const errors = pageErrors(page)
  const fixture = await startToucher()
  fixtures.push(fixture)
  await page.goto(server.url)
  await checkWatch(page, fixture.info)
  expect(errors).toEqual([])
})
