// Leaks and reports in browser mode, on a real leaking process: take, save, open and compare files;
// record a timeline; export reports. Then the reports themselves: the HTML opened in Chromium shows
// its charts, and the PDF, turned into PNG pages by pdftoppm, has the pages it should.
import { test, expect, type Download, type Page } from '@playwright/test'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { startLeakingFixture, type LeakingFixture } from '../../test-support/leakingFixture'
import { serve, type Served } from './serve'

const LEAK_BLOCKS = 2000
const LEAK_SIZE = 200 // the 129–256 B class
const root = join(__dirname, '..', '..')
const results = join(root, 'e2e-results')
const work = join(root, 'test-results', 'reports-e2e')
const samples = join(root, 'resources', 'samples')

let server: Served
let fixture: LeakingFixture
test.beforeAll(async () => {
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  mkdirSync(results, { recursive: true })
  server = await serve()
  fixture = await startLeakingFixture(LEAK_BLOCKS, LEAK_SIZE)
})
test.afterAll(async () => {
  await fixture?.stop()
  await server?.stop()
})

async function openWorkbench(page: Page): Promise<string[]> {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.setViewportSize({ width: 1400, height: 950 })
  await page.goto(server.url)
  await page.getByTestId('tab-main-leaks').click()
  return errors
}

/** Clicks and keeps the download it starts, under work/. */
async function download(page: Page, click: () => Promise<void>): Promise<{ path: string; d: Download }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()])
  const path = join(work, d.suggestedFilename())
  await d.saveAs(path)
  return { path, d }
}

const cli = (...args: string[]) => execFileSync(process.execPath, [join(root, 'out', 'main', 'cli.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

test('a leak found in the app: take a file, save it, open it again, compare with a later one, export the compare', async ({ page }) => {
  const errors = await openWorkbench(page)
  await page.getByTestId('take-pid').fill(String(fixture.pid))
  await page.getByTestId('take').click()
  await expect(page.getByTestId('file-item')).toHaveCount(2)
  const saved = await download(page, () => page.getByTestId('save-file').click())
  expect(saved.d.suggestedFilename()).toMatch(new RegExp(`^pid-${fixture.pid}-.*\\.snapscope$`))
  expect(readFileSync(saved.path).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))

  await fixture.leak()
  await page.getByTestId('take').click()
  await expect(page.getByTestId('open-file')).toHaveCount(2)
  // The saved file, opened as anyone would on another machine.
  await page.getByTestId('file-input').setInputFiles(saved.path)
  await expect(page.getByTestId('open-file')).toHaveCount(3)

  await page.getByTestId('tab-wb-compare').click()
  // A: the saved file as opened again; B: the one taken after the leak.
  const wholeFiles = (await page.getByTestId('compare-a').locator('option').allTextContents()).filter((o) => o.includes(' — '))
  expect(new Set(wholeFiles).size).toBe(3)
  await page.getByTestId('compare-a').selectOption({ label: wholeFiles[2] })
  await page.getByTestId('compare-b').selectOption({ label: wholeFiles[1] })
  await page.getByTestId('compare-run').click()
  const top = page.getByTestId('suspect').first()
  await expect(top).toHaveAttribute('data-kind', 'size-class')
  await expect(top).toHaveAttribute('data-min-size', '129')
  await expect(top).toContainText('Blocks of 129–256 B')
  await expect(page.getByTestId('diff-size-classes').locator('tr.marked')).toContainText('129–256 B')
  await page.screenshot({ path: join(results, 'reports-compare.png') })

  const html = await download(page, () => page.getByTestId('compare-export-html').click())
  const text = readFileSync(html.path, 'utf8')
  expect(text).toContain('Snapscope compare')
  expect(text).toMatch(/Blocks of 129–256 B: [\d,]+ → [\d,]+/)
  expect(errors).toEqual([])
})

test('a timeline recorded in the app shows the leak growing steadily, and exports as PDF', async ({ page }) => {
  const errors = await openWorkbench(page)
  await page.getByTestId('tab-wb-timeline').click()
  await page.getByTestId('capture-pid').fill(String(fixture.pid))
  await page.getByTestId('capture-every').fill('700ms')
  await page.getByTestId('capture-for').fill('5.6s')
  await page.getByTestId('capture-start').click()
  await expect(page.getByTestId('capture')).toHaveAttribute('data-state', 'running')
  // A leak after each sample the page shows: the next sample sees it.
  for (let n = 1; n < 9; n++) {
    await expect(page.getByTestId('capture-progress')).toContainText(`${n} of 9 samples`)
    await fixture.leak()
  }
  await expect(page.getByTestId('capture')).toHaveAttribute('data-state', 'ended', { timeout: 10_000 })
  await expect(page.getByTestId('capture-progress')).toContainText('9 of 9 samples — ended: completed')
  const capture = page.getByTestId('capture')
  await expect(capture.locator('[data-testid="trend-flag"][data-series="class:129-256"]')).toBeVisible()
  await expect(capture.getByTestId('timeline-chart')).toHaveCount(5)
  await expect(capture.locator('[data-chart="size-classes"] .recharts-line')).not.toHaveCount(0)
  await page.screenshot({ path: join(results, 'reports-timeline.png'), fullPage: true })

  const pdf = await download(page, () => page.getByTestId('capture-export-pdf').click())
  expect(readFileSync(pdf.path).subarray(0, 5).toString()).toBe('%PDF-')
  // The timeline is an open file now: Files shows it.
  await page.getByTestId('tab-wb-files').click()
  await expect(page.locator('[data-testid="open-file"][data-name^="timeline-pid-"]')).toBeVisible()
  expect(errors).toEqual([])
})

test('the HTML report opened in Chromium shows its charts, offline', async ({ page }) => {
  const html = join(work, 'timeline.html')
  cli('report', join(samples, 'leak-timeline.snapscope'), '--format', 'html', '--out', html)
  const requests: string[] = []
  page.on('request', (r) => requests.push(r.url()))
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.goto(`file://${html}`)
  await expect(page.locator('h1')).toHaveText('Snapscope report')
  const charts = page.locator('svg.chart')
  await expect(charts).toHaveCount(5)
  for (const chart of await charts.all()) {
    await expect(chart).toBeVisible()
    const box = (await chart.boundingBox())!
    expect(box.width).toBeGreaterThan(300)
    expect(box.height).toBeGreaterThan(150)
  }
  await expect(page.locator('svg.chart path.series.flagged')).not.toHaveCount(0)
  await expect(page.locator('ul.findings li.warn').first()).toContainText('Grows steadily: Blocks of 129–256 B')
  expect(requests).toEqual([`file://${html}`])
  await page.screenshot({ path: join(results, 'report-html.png'), fullPage: true })
})

const hasPoppler = spawnSync('sh', ['-c', 'command -v pdftoppm && command -v pdftotext'], { stdio: 'ignore' }).status === 0

test('the PDF reports have the expected pages', async () => {
  test.skip(!hasPoppler, 'pdftoppm and pdftotext (Debian poppler-utils) are not installed: bash .ci/run installs them')
  const reports: [string, string[], string[][]][] = [
    // name, report arguments, text each page must show (in order, on some page from the previous on)
    ['timeline', [join(samples, 'leak-timeline.snapscope')], [['Snapscope report', 'Timeline of heap_fixture', 'Grows steadily: Blocks of 129–256 B'], ['Trend of every series'], ['Generated by snapscope']]],
    ['compare', [join(samples, 'leak-before.snapscope'), join(samples, 'leak-after.snapscope')], [['Snapscope compare', 'Leak suspects', 'Blocks of 129–256 B'], ['Heap blocks per size class'], ['Generated by snapscope']]]
  ]
  for (const [name, args, expected] of reports) {
    const pdf = join(work, `${name}.pdf`)
    cli('report', ...args, '--format', 'pdf', '--out', pdf)
    const pages = join(results, `pdf-${name}`)
    rmSync(pages, { recursive: true, force: true })
    mkdirSync(pages, { recursive: true })
    execFileSync('pdftoppm', ['-r', '70', '-png', pdf, join(pages, 'page')])
    const pngs = readdirSync(pages).filter((f) => f.endsWith('.png')).sort()
    expect(pngs.length, `${name}: pages`).toBeGreaterThanOrEqual(2)
    expect(pngs.length, `${name}: pages`).toBeLessThanOrEqual(8)
    for (const png of pngs) expect(statSync(join(pages, png)).size, `${name} ${png} is not blank`).toBeGreaterThan(8_000)
    // Each expected text on a page at or after the one where the previous group was found.
    const texts = pngs.map((_, i) => execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), '-layout', pdf, '-'], { encoding: 'utf8' }))
    let from = 0
    for (const group of expected) {
      const at = texts.findIndex((t, i) => i >= from && group.every((g) => t.includes(g)))
      expect(at, `${name}: a page with ${group.join(' + ')}`).toBeGreaterThanOrEqual(0)
      from = at
    }
    expect(texts[0]).toContain('Snapscope')
  }
})
