import { defineConfig } from '@playwright/test'

// Debian's Chromium: Playwright's own browser download is not reachable here.
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  reporter: 'list',
  workers: 1,
  use: {
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
    }
  },
  projects: [
    { name: 'browser', testMatch: /browser\/.*\.e2e\.ts/ },
    { name: 'electron', testMatch: /electron\/.*\.e2e\.ts/ }
  ]
})
